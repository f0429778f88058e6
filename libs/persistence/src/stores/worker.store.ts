import type { EntityManager } from 'typeorm';
import { WorkerEntity } from '../entities';

/** A worker that has not heartbeated for this long is taken for dead. */
export const LIVE_WORKER_WINDOW_MS = 30_000;

/** SQL: whether the worker row `alias` is live: not stopped, and heartbeating within LIVE_WORKER_WINDOW_MS (on PostgreSQL's clock). */
export function isLiveWorker(alias: string): string {
  return `${alias}.stopped_at IS NULL AND ${alias}.last_heartbeat_at > now() - interval '${LIVE_WORKER_WINDOW_MS} milliseconds'`;
}

/** SQL: whether a live worker's last heartbeat lists the trial `alias` among its running trials. */
export function heldByLiveWorker(alias: string): string {
  return `EXISTS (SELECT 1 FROM workers w WHERE ${isLiveWorker('w')} AND w.running_trial_ids @> jsonb_build_array(${alias}.id::text))`;
}

export type WorkerRegistration = Pick<WorkerEntity, 'id' | 'host' | 'pid' | 'backend' | 'concurrency'>;

/** The workers table: each worker registers, heartbeats the trials it runs, and marks itself stopped. */
export class WorkerStore {
  constructor(private readonly manager: EntityManager) {}

  /** Registers the worker (a restarted one with the same id starts afresh). */
  async register(worker: WorkerRegistration): Promise<void> {
    const now = new Date();
    await this.manager.upsert(WorkerEntity, { ...worker, runningTrialIds: [], startedAt: now, lastHeartbeatAt: now, stoppedAt: null }, ['id']);
  }

  async heartbeat(id: string, runningTrialIds: readonly string[]): Promise<void> {
    await this.manager.update(WorkerEntity, { id }, { lastHeartbeatAt: new Date(), runningTrialIds: [...runningTrialIds] });
  }

  async markStopped(id: string): Promise<void> {
    await this.manager.update(WorkerEntity, { id }, { stoppedAt: new Date(), runningTrialIds: [] });
  }

  /** Live workers (heartbeat within LIVE_WORKER_WINDOW_MS), or every worker ever registered; oldest first. */
  list({ liveOnly }: { liveOnly: boolean }): Promise<WorkerEntity[]> {
    const workers = this.manager.createQueryBuilder(WorkerEntity, 'w').orderBy('w.startedAt', 'ASC');
    return (liveOnly ? workers.where(isLiveWorker('w')) : workers).getMany();
  }
}
