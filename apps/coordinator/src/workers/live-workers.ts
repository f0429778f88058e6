/** A worker that has not heartbeated for this long is taken for dead. */
export const LIVE_WORKER_WINDOW_MS = 30_000;

/** SQL: whether a live worker's last heartbeat lists the trial `alias` among its running trials. */
export function heldByLiveWorker(alias: string): string {
  return `EXISTS (SELECT 1 FROM workers w WHERE w.stopped_at IS NULL AND w.last_heartbeat_at > now() - interval '${LIVE_WORKER_WINDOW_MS} milliseconds'
    AND w.running_trial_ids @> jsonb_build_array(${alias}.id::text))`;
}
