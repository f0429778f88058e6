import { ApiError as RefusedError, createApiClient, UnreachableError } from '@tuneforge/api-client';
import { CSRF_COOKIE, type AuditEventDto, type AuthProvidersDto, type SignIn, type SweepStatus, type TrialSortKey } from '@tuneforge/contracts';

export type { TrialSortKey } from '@tuneforge/contracts';

/** The session's CSRF token (its readable cookie), which the coordinator wants echoed on every signed-in write. */
export function csrfToken(): string | undefined {
  const entry = document.cookie.split('; ').find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return entry ? decodeURIComponent(entry.slice(CSRF_COOKIE.length + 1)) : undefined;
}

/** The shared client on the coordinator that served this page (signed in by its session cookie); it parses every answer with its schema. */
export const client = createApiClient({ baseUrl: '/api/v1', csrfToken });

/** An HTTP answer other than 2xx; `status` 0 means the coordinator could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** What a refusal means for the session: 401 signed out (or expired), 403 FORBIDDEN a role the caller lacks. */
type SessionListener = (answer: 'unauthenticated' | 'forbidden') => void;
const sessionListeners = new Set<SessionListener>();

/** Called on every 401 (and 403 FORBIDDEN) answer to a call made in the session that is still current. */
export function onSessionAnswer(listener: SessionListener): () => void {
  sessionListeners.add(listener);
  return () => void sessionListeners.delete(listener);
}

/**
 * The client's errors as the pages show them: the coordinator's message and the fields it names. A 401 to a
 * call made under the current session (its CSRF cookie unchanged since the call began) tells the listeners.
 */
async function shown<T>(call: Promise<T>): Promise<T> {
  const sessionAtStart = csrfToken();
  try {
    return await call;
  } catch (error) {
    if (error instanceof UnreachableError) throw new ApiError(0, 'the coordinator cannot be reached');
    if (!(error instanceof RefusedError)) throw error;
    const answer = error.status === 401 ? 'unauthenticated' : error.code === 'FORBIDDEN' ? 'forbidden' : undefined;
    if (answer && csrfToken() === sessionAtStart) sessionListeners.forEach((listener) => listener(answer));
    const detail = error.issues.length ? `: ${error.issues.map((i) => `${i.path} ${i.message}`).join('; ')}` : '';
    throw new ApiError(error.status, `${error.reason}${detail}`);
  }
}

export const api = {
  me: () => shown(client.me()),
  signIn: (credentials: SignIn) => shown(client.signIn({ body: credentials })),
  signOut: () => shown(client.signOut()),
  sweeps: (status?: SweepStatus) => shown(client.listSweeps({ query: { limit: 200, status } })),
  sweep: (id: string) => shown(client.getSweep({ id })),
  trials: (sweepId: string, page: { limit: number; sort: TrialSortKey; order?: 'asc' | 'desc'; after?: string }) =>
    shown(client.listTrials({ id: sweepId, query: page })),
  curves: (sweepId: string, metric: string | undefined, top: number, points: number, trials?: readonly string[]) =>
    shown(client.sweepCurves({ id: sweepId, query: { top, points, metric, trials: trials?.length ? trials.join(',') : undefined } })),
  trialPoints: (sweepId: string) => shown(client.trialPoints({ id: sweepId })),
  pause: (id: string) => shown(client.pauseSweep({ id })),
  resume: (id: string) => shown(client.resumeSweep({ id })),
  cancel: (id: string) => shown(client.cancelSweep({ id })),
  extend: (id: string, maxTrials: number) => shown(client.updateSweep({ id, body: { maxTrials } })),
  setConcurrency: (id: string, maxConcurrent: number) => shown(client.updateSweep({ id, body: { maxConcurrent } })),
  pareto: (id: string) => shown(client.pareto({ id })),
  importance: (id: string) => shown(client.sweepImportance({ id })),
  createSweep: (yaml: string, project?: string) => shown(client.createSweep({ body: yaml, query: { project } })),
  trial: (id: string) => shown(client.getTrial({ id })),
  metrics: (id: string, points: number) => shown(client.trialMetrics({ id, query: { points } })),
  checkpoints: (id: string) => shown(client.listCheckpoints({ id })),
  workers: () => shown(client.listWorkers()),
  audit: (query: { limit: number; offset: number; actor?: string; action?: AuditEventDto['action'] }) => shown(client.listAudit({ query })),
};

/** How one may sign in on this coordinator (GET /auth/providers). */
export type SignInProviders = AuthProvidersDto;

/** The sign-in choices; a coordinator that cannot say (unreachable, or older) offers passwords and tokens only, no SSO button. */
export async function signInProviders(): Promise<SignInProviders> {
  return client.authProviders().catch(() => ({ password: true, oidc: null }));
}

/** Where single sign-on starts: the coordinator sends the browser to the provider and back to `returnTo`, signed in. */
export function ssoSignInUrl(returnTo: string): string {
  return client.url('oidcLogin', { query: { returnTo } });
}
