import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ERROR_CODES, type ErrorCode } from '@tuneforge/contracts';
import { DEFAULT_PROJECT_ID, Stores } from '@tuneforge/persistence';
import { seedAccount, waitFor } from '@tuneforge/testing';
import { createCoordinatorApp } from '../src/coordinator.app';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../src/config/coordinator.config';
import { ssoConfigFor, startTestOpenIdProvider, type TestOpenIdProvider } from './support/openid-provider';
import { aSweepSpec } from './support/sweep-specs';
import { freePort, TestBrowser } from './support/test-browser';
import { startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

const CALLBACK = '/api/v1/auth/oidc/callback';

describe('single sign-on with an OpenID provider (GET /auth/oidc/login, /auth/oidc/callback)', () => {
  let idp: TestOpenIdProvider;
  let coordinator: TestCoordinator;
  let stores: Stores;
  let researchId: string;
  /** Other coordinators on the same database, with another single sign-on configuration. */
  const others: NestExpressApplication[] = [];

  const startOther = async (changes: Partial<CoordinatorConfig>): Promise<string> => {
    const app = await createCoordinatorApp({ ...coordinator.config, port: 0, ...changes });
    await app.listen(0, '127.0.0.1');
    others.push(app);
    return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  };
  const loginUrl = (returnTo?: string) => `${coordinator.baseUrl}/api/v1/auth/oidc/login${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`;
  /** A browser's sign-on up to the provider's redirect back to the callback (not followed yet). */
  const untilCallback = async (browser: TestBrowser, returnTo?: string): Promise<URL> => {
    const { next } = await browser.follow(loginUrl(returnTo), (url) => url.pathname === CALLBACK);
    assert.ok(next, 'the provider redirects back to the callback');
    return next;
  };
  const assertError = async (response: Response, code: ErrorCode): Promise<{ message: string; issues?: { path: string }[] }> => {
    const body = (await response.json()) as { code: string; message: string; issues?: { path: string }[] };
    assert.equal(body.code, code, body.message);
    assert.equal(response.status, ERROR_CODES[code].status);
    return body;
  };
  const me = async (browser: TestBrowser) => {
    const response = await browser.get(`${coordinator.baseUrl}/api/v1/me`);
    assert.equal(response.status, 200);
    return (await response.json()) as { user: { id: string; name: string; isAdmin: boolean }; projects: { name: string; role: string }[]; via: string };
  };

  before(async () => {
    const port = await freePort();
    const redirectUrl = `http://127.0.0.1:${port}${CALLBACK}`;
    idp = await startTestOpenIdProvider(redirectUrl);
    const oidc = ssoConfigFor(idp, redirectUrl, {
      'tuneforge-admins': { project: 'default', role: 'admin' },
      'ml-team': [
        { project: 'default', role: 'viewer' },
        { project: 'research', role: 'editor' },
      ],
      'no-such-project-group': { project: 'no-such-project', role: 'viewer' },
    });
    coordinator = await startTestCoordinator('sso_api', { port, oidc });
    stores = coordinator.app.get(Stores);
    researchId = (await stores.accounts.createProject('research')).id;
  });
  after(async () => {
    for (const app of others) await app.close();
    await coordinator.close();
    await idp.close();
  });

  it('says how one may sign in (public)', async () => {
    const answer = await fetch(`${coordinator.baseUrl}/api/v1/auth/providers`);
    assert.deepEqual([answer.status, await answer.json()], [200, { password: true, oidc: { name: 'Test IdP' } }]);
    const without = await startOther({ oidc: undefined });
    assert.deepEqual(await (await fetch(`${without}/api/v1/auth/providers`)).json(), { password: true, oidc: null });
  });

  it('sends the browser to the provider with PKCE (S256), state and nonce, keeping its half of the sign-on in a cookie', async () => {
    const browser = new TestBrowser();
    const login = await browser.get(loginUrl('/sweeps?status=running'));
    assert.equal(login.status, 302);
    const authorize = new URL(login.headers.get('location') ?? '');
    assert.equal(authorize.origin, idp.issuer);
    assert.deepEqual(
      ['response_type', 'client_id', 'redirect_uri', 'code_challenge_method', 'scope'].map((p) => authorize.searchParams.get(p)),
      ['code', idp.clientId, `${coordinator.baseUrl}${CALLBACK}`, 'S256', 'openid profile email groups'],
    );
    for (const p of ['state', 'nonce', 'code_challenge']) assert.ok((authorize.searchParams.get(p) ?? '').length >= 43, p);
    assert.ok(browser.cookie(coordinator.baseUrl, 'tf_oidc'), 'the browser holds its half of the sign-on');
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('tf_oidc='));
    assert.match(cookie ?? '', /HttpOnly/i);
    assert.match(cookie ?? '', /SameSite=Lax/i);
    assert.match(cookie ?? '', /Path=\/api\/v1\/auth\/oidc/i);
  });

  it('signs a new user in: creates it by issuer and subject, gives its groups’ roles, starts a session that /me knows, returns to returnTo', async () => {
    idp.identity = { sub: 'ada-0001', preferred_username: 'ada', email: 'ada@example.test', groups: ['tuneforge-admins', 'ml-team', 'unmapped'] };
    const browser = new TestBrowser();
    const callback = await untilCallback(browser, '/sweeps?status=running');
    assert.ok(callback.searchParams.get('code'));
    idp.requests.length = 0;
    const landed = await browser.get(callback);
    // The code went to the token endpoint, and the ID token's signature was checked against the provider's keys.
    assert.ok(idp.requests.includes('/token') && idp.requests.includes('/jwks'), idp.requests.join(' '));
    assert.equal(landed.status, 302);
    assert.equal(landed.headers.get('location'), '/sweeps?status=running');
    const setCookies = landed.headers.getSetCookie();
    assert.ok(setCookies.some((c) => c.startsWith('tf_session=') && /HttpOnly/i.test(c) && /SameSite=Strict/i.test(c)));
    assert.equal(browser.cookie(coordinator.baseUrl, 'tf_oidc'), undefined, 'the sign-on cookie is cleared');

    const who = await me(browser);
    assert.deepEqual([who.user.name, who.user.isAdmin, who.via], ['ada', false, 'session']);
    assert.deepEqual(who.projects, [
      { id: DEFAULT_PROJECT_ID, name: 'default', role: 'admin' },
      { id: researchId, name: 'research', role: 'editor' },
    ]);
    const user = await stores.accounts.userByOidc(idp.issuer, 'ada-0001');
    assert.equal(user?.id, who.user.id);
    assert.equal(user?.passwordHash, null);

    // The session writes like any other (CSRF token echoed).
    const csrf = browser.cookie(coordinator.baseUrl, 'tf_csrf') ?? '';
    const sweep = await coordinator.client.createSweep({ body: aSweepSpec({ name: 'sso-owned' }) });
    const paused = await fetch(`${coordinator.baseUrl}/api/v1/sweeps/${sweep.id}/pause`, {
      method: 'POST',
      headers: { cookie: browser.cookieHeader(new URL(coordinator.baseUrl)), 'x-csrf-token': csrf },
    });
    assert.equal(paused.status, 200);

    const events = await waitFor('the sign-on in the audit log', async () => {
      const page = await coordinator.client.listAudit({ query: { actor: 'ada' } });
      return page.items.some((e) => e.action === 'sign-in') && page.items.some((e) => e.action === 'user-created') ? page.items : undefined;
    }, 10_000, 50);
    const signIn = events.find((e) => e.action === 'sign-in');
    assert.deepEqual([signIn?.via, signIn?.status, signIn?.actor.userId], ['oidc', 302, who.user.id]);
  });

  it('signs the same subject in as the same user, its roles following its groups now', async () => {
    idp.identity = { sub: 'ada-0001', preferred_username: 'ada-renamed', groups: ['ml-team'] };
    const browser = new TestBrowser();
    assert.equal((await browser.get(await untilCallback(browser))).headers.get('location'), '/');
    const who = await me(browser);
    assert.equal(who.user.name, 'ada', 'the name stays the one first given');
    assert.deepEqual(who.projects.map((p) => [p.name, p.role]), [['default', 'viewer'], ['research', 'editor']]);
    idp.identity = { sub: 'ada-0001', groups: [] };
    const again = new TestBrowser();
    await again.get(await untilCallback(again));
    assert.deepEqual((await me(again)).projects, [], 'no group, no membership in the projects the mapping names');
  });

  it('never takes over a local user of the same name', async () => {
    const local = await seedAccount(stores, { name: 'grace', password: 'local password' });
    idp.identity = { sub: 'grace-idp', preferred_username: 'grace', groups: [] };
    const browser = new TestBrowser();
    await browser.get(await untilCallback(browser));
    const who = await me(browser);
    assert.notEqual(who.user.id, local.userId);
    assert.match(who.user.name, /^grace-[0-9a-f]{8}$/);
  });

  it('refuses a forged state, a used one, and a callback in another browser than the one that started', async () => {
    idp.identity = { sub: 'mallory', preferred_username: 'mallory', groups: ['tuneforge-admins'] };
    const browser = new TestBrowser();
    const callback = await untilCallback(browser);
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged-state');
    await assertError(await browser.get(forged), 'OIDC_STATE_INVALID');
    // The attacker's own callback URL, opened in a victim's browser (login CSRF): not the browser that started.
    const victim = new TestBrowser();
    const other = await untilCallback(new TestBrowser());
    await assertError(await victim.get(other), 'OIDC_STATE_INVALID');
    // Each sign-on is used once.
    const fresh = new TestBrowser();
    const once = await untilCallback(fresh);
    const secret = fresh.cookie(coordinator.baseUrl, 'tf_oidc');
    assert.equal((await fresh.get(once)).status, 302);
    const replayed = await fetch(once, { redirect: 'manual', headers: { cookie: `tf_oidc=${secret}` } });
    await assertError(replayed, 'OIDC_STATE_INVALID');
    await assertError(await fetch(`${coordinator.baseUrl}${CALLBACK}?code=abc`, { redirect: 'manual' }), 'OIDC_STATE_INVALID');
    assert.equal(await stores.accounts.userByName('mallory').then((u) => u?.name), 'mallory', 'only the one good sign-on made the user');
  });

  it('refuses a returnTo that leaves the site (an open redirect), naming the parameter', async () => {
    for (const returnTo of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', 'evil', '/ok\r\nSet-Cookie: x=1', `/${'a'.repeat(2001)}`]) {
      const answer = await fetch(loginUrl(returnTo), { redirect: 'manual' });
      const body = await assertError(answer, 'VALIDATION_FAILED');
      assert.deepEqual(body.issues?.map((i) => i.path), ['query.returnTo'], returnTo);
    }
    const unknown = await fetch(`${coordinator.baseUrl}/api/v1/auth/oidc/login?next=/`, { redirect: 'manual' });
    assert.deepEqual((await assertError(unknown, 'VALIDATION_FAILED')).issues?.map((i) => i.path), ['query.next']);
  });

  it('names a malformed callback parameter', async () => {
    const twice = await fetch(`${coordinator.baseUrl}${CALLBACK}?state=a&state=b`, { redirect: 'manual' });
    assert.deepEqual((await assertError(twice, 'VALIDATION_FAILED')).issues?.map((i) => i.path), ['query.state']);
    const long = await fetch(`${coordinator.baseUrl}${CALLBACK}?code=${'c'.repeat(4001)}`, { redirect: 'manual' });
    assert.deepEqual((await assertError(long, 'VALIDATION_FAILED')).issues?.map((i) => i.path), ['query.code']);
  });

  it('answers OIDC_SIGN_IN_FAILED when the provider refuses the sign-in', async () => {
    idp.refuse = 'access_denied';
    try {
      const browser = new TestBrowser();
      const callback = await untilCallback(browser);
      assert.equal(callback.searchParams.get('error'), 'access_denied');
      assert.match((await assertError(await browser.get(callback), 'OIDC_SIGN_IN_FAILED')).message, /access_denied/);
    } finally {
      idp.refuse = undefined;
    }
  });

  it('answers OIDC_PROVIDER_UNAVAILABLE when the provider does not answer, and OIDC_NOT_CONFIGURED without one', async () => {
    const oidc = coordinator.config.oidc;
    assert.ok(oidc);
    const unreachable = await startOther({ oidc: { ...oidc, issuer: 'http://127.0.0.1:1' } });
    assert.match((await assertError(await fetch(`${unreachable}/api/v1/auth/oidc/login`, { redirect: 'manual' }), 'OIDC_PROVIDER_UNAVAILABLE')).message, /127\.0\.0\.1:1/);
    const without = await startOther({ oidc: undefined });
    await assertError(await fetch(`${without}/api/v1/auth/oidc/login`, { redirect: 'manual' }), 'OIDC_NOT_CONFIGURED');
    await assertError(await fetch(`${without}${CALLBACK}?state=x&code=y`, { redirect: 'manual' }), 'OIDC_NOT_CONFIGURED');
  });

  it('refuses a bad single sign-on configuration, naming the variable', () => {
    const complete = { OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'c', OIDC_CLIENT_SECRET: 's', OIDC_REDIRECT_URL: 'https://tf.example/api/v1/auth/oidc/callback' };
    const refusals: [Record<string, string>, RegExp][] = [
      [{ ...complete, OIDC_CLIENT_SECRET: '' }, /OIDC_CLIENT_SECRET/],
      [{ OIDC_ISSUER: 'https://idp.example' }, /OIDC_CLIENT_ID: required with OIDC_ISSUER/],
      [{ ...complete, OIDC_ISSUER: 'http://idp.example' }, /OIDC_ISSUER: must be https/],
      [{ ...complete, OIDC_SCOPES: 'profile email' }, /OIDC_SCOPES: must include openid/],
      [{ ...complete, OIDC_GROUP_ROLES: 'not json' }, /OIDC_GROUP_ROLES: must be JSON/],
      [{ ...complete, OIDC_GROUP_ROLES: '{"g":{"project":"default","role":"owner"}}' }, /OIDC_GROUP_ROLES: must map each group/],
    ];
    for (const [env, expected] of refusals) assert.throws(() => loadCoordinatorConfig(env), expected, JSON.stringify(env));
    assert.equal(loadCoordinatorConfig({}).oidc, undefined);
    assert.deepEqual(loadCoordinatorConfig({ ...complete, OIDC_GROUP_ROLES: '{"g":{"project":"default","role":"viewer"}}' }).oidc?.groupRoles, [{ group: 'g', grants: [{ project: 'default', role: 'viewer' }] }]);
  });
});
