import type { EntityManager } from 'typeorm';
import { ACTIVE_SWEEP_STATUSES, type SweepStatus, type TrialStatus } from '@tuneforge/contracts';
import { isLiveWorker } from '../stores/worker.store';

/** A sweep's fields the dashboard's live feed shows. */
export interface LiveSweep {
  id: string;
  status: SweepStatus;
  trialsCreated: number;
  plannedTrials: number;
}

/** A trial's fields the live feed shows, and how many events it has recorded. */
export interface LiveTrial {
  id: string;
  sweepId: string;
  number: number;
  status: TrialStatus;
  lastEpoch: number | null;
  bestMetric: number | null;
  prunedRung: number | null;
  eventCount: number;
}

/** A trial's metric points newer than the mark: the newest epoch among them. */
export interface LiveMetrics {
  sweepId: string;
  trialId: string;
  epoch: number;
}

export interface LiveWorker {
  id: string;
  runningTrials: number;
}

export interface LiveChangesQuery {
  /** The `readAt` of the previous read; null for the first. */
  since: string | null;
  /** How far behind `since` trials are read again (see LiveChanges.trials). */
  lookBackMs: number;
  /** The sweeps whose trials to read: those already watched. */
  sweepIds: readonly string[];
  /** The `lastMetricId` of the previous read; null for the first, which reads no metric points. */
  afterMetricId: string | null;
}

export interface LiveChanges {
  /** The database's clock at this read (`now()`, microseconds): the next read's `since`. */
  readAt: string;
  /** Every active sweep, and the named sweeps whatever their status (so a watched sweep's end is seen). */
  sweeps: LiveSweep[];
  /**
   * The named sweeps' trials whose updated_at is past `since - lookBackMs`. Writers set updated_at to now(),
   * their transaction's start, so a change can commit after a read whose clock is already past its
   * timestamp: reading again behind the mark sees it; the rows read twice are the caller's to drop.
   */
  trials: LiveTrial[];
  /** Per trial, the metric points with an id past `afterMetricId`. */
  metrics: LiveMetrics[];
  /** The newest metric point id this read saw: the next read's `afterMetricId`. */
  lastMetricId: string;
  /** The live workers, by id. */
  workers: LiveWorker[];
}

const TRIAL_COLUMNS = `t.id, t.sweep_id AS "sweepId", t.number, t.status, t.last_epoch AS "lastEpoch", t.best_metric AS "bestMetric",
  t.pruned_rung AS "prunedRung", jsonb_array_length(t.events) AS "eventCount"`;

/**
 * What the dashboard's live feed needs in one statement, so that all of it comes from one snapshot and one
 * round trip: the active (and watched) sweeps, the watched sweeps' recently changed trials (through
 * ix_trials_updated_at), new metric points by id, and the live workers.
 */
export async function readLiveChanges(manager: EntityManager, query: LiveChangesQuery): Promise<LiveChanges> {
  const [row] = await manager.query(
    `SELECT now()::text AS "readAt",
       (SELECT coalesce(json_agg(s), '[]') FROM (
          SELECT id, status, trials_created AS "trialsCreated", planned_trials AS "plannedTrials" FROM sweeps
          WHERE status = ANY($1::sweep_status[]) OR id = ANY($2::uuid[])) s) AS sweeps,
       (SELECT coalesce(json_agg(c), '[]') FROM (
          SELECT ${TRIAL_COLUMNS} FROM trials t
          WHERE t.updated_at > $3::timestamptz - make_interval(secs => $4) AND t.sweep_id = ANY($2::uuid[])) c) AS trials,
       (SELECT coalesce(json_agg(m), '[]') FROM (
          SELECT sweep_id AS "sweepId", trial_id AS "trialId", max(epoch) AS epoch FROM metric_points
          WHERE id > $5::bigint GROUP BY sweep_id, trial_id) m) AS metrics,
       greatest($5::bigint, (SELECT max(id) FROM metric_points), 0)::text AS "lastMetricId",
       (SELECT coalesce(json_agg(w ORDER BY w.id), '[]') FROM (
          SELECT lw.id, jsonb_array_length(lw.running_trial_ids) AS "runningTrials" FROM workers lw WHERE ${isLiveWorker('lw')}) w) AS workers`,
    [ACTIVE_SWEEP_STATUSES, query.sweepIds, query.since, query.lookBackMs / 1000, query.afterMetricId],
  );
  return row as LiveChanges;
}

/** All trials of the given sweeps (for sweeps the live feed starts to watch). */
export async function readLiveTrials(manager: EntityManager, sweepIds: readonly string[]): Promise<LiveTrial[]> {
  if (sweepIds.length === 0) return [];
  return manager.query(`SELECT ${TRIAL_COLUMNS} FROM trials t WHERE t.sweep_id = ANY($1::uuid[])`, [sweepIds]);
}
