import { ApiError as RefusedError, createApiClient, UnreachableError } from '@tuneforge/api-client';
import { CSRF_COOKIE, type SweepStatus, type TrialSortKey } from '@tuneforge/contracts';

export type { TrialSortKey } from '@tuneforge/contracts';

/** The session's CSRF token (its readable cookie), which the coordinator wants echoed on every signed-in write. */
function csrfToken(): string | undefined {
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

/** The client's errors as the pages show them: the coordinator's message and the fields it names. */
async function shown<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (error instanceof UnreachableError) throw new ApiError(0, 'the coordinator cannot be reached');
    if (!(error instanceof RefusedError)) throw error;
    const detail = error.issues.length ? `: ${error.issues.map((i) => `${i.path} ${i.message}`).join('; ')}` : '';
    throw new ApiError(error.status, `${error.reason}${detail}`);
  }
}

export const api = {
  sweeps: (status?: SweepStatus) => shown(client.listSweeps({ query: { limit: 200, status } })),
  sweep: (id: string) => shown(client.getSweep({ id })),
  trials: (sweepId: string, page: { limit: number; offset: number; sort: TrialSortKey; order?: 'asc' | 'desc' }) => shown(client.listTrials({ id: sweepId, query: page })),
  curves: (sweepId: string, metric: string | undefined, top: number, points: number) => shown(client.sweepCurves({ id: sweepId, query: { top, points, metric } })),
  trialPoints: (sweepId: string) => shown(client.trialPoints({ id: sweepId })),
  pause: (id: string) => shown(client.pauseSweep({ id })),
  resume: (id: string) => shown(client.resumeSweep({ id })),
  cancel: (id: string) => shown(client.cancelSweep({ id })),
  extend: (id: string, maxTrials: number) => shown(client.updateSweep({ id, body: { maxTrials } })),
  trial: (id: string) => shown(client.getTrial({ id })),
  metrics: (id: string, points: number) => shown(client.trialMetrics({ id, query: { points } })),
  checkpoints: (id: string) => shown(client.listCheckpoints({ id })),
  workers: () => shown(client.listWorkers()),
};
