/** The administrator's API token of every test coordinator (its TUNEFORGE_ADMIN_TOKEN): tests sign in with it. */
export const TEST_ADMIN_TOKEN = `tf_testadmin1_${'T'.repeat(43)}`;

/** The WEBHOOK_SECRETS_KEY of every test coordinator (32 bytes, base64): webhooks' secrets are sealed with it. */
export const TEST_WEBHOOK_SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');

/** The Authorization header of the test administrator. */
export const ADMIN_AUTH: Readonly<Record<string, string>> = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** fetch as the test administrator (its headers win over none, lose to the caller's). */
export function adminFetch(url: string | URL, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { ...init, headers: { ...ADMIN_AUTH, ...(init.headers as Record<string, string> | undefined) } });
}
