import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { TRIAL_STATUSES, type SweepStatus, type TrialStatus } from '@tuneforge/contracts';
import { column, queryRows } from '../rows';

/** A sweep as the metrics endpoint counts it: its status and its trials by status. */
export interface SweepStatusCounts {
  sweepId: string;
  status: SweepStatus;
  trialsCreated: number;
  /** Its trials by status (statuses it has none in are left out); null for a sweep the caller named as unchanged. */
  trials: Partial<Record<TrialStatus, number>> | null;
}

/** A sweep whose trial counts the caller holds, with its trials_created when it counted them. */
export interface CountedSweep {
  sweepId: string;
  trialsCreated: number;
}

const Row = z.object({
  sweepId: column.id,
  status: column.sweepStatus,
  trialsCreated: column.int,
  trials: z.partialRecord(z.enum(TRIAL_STATUSES), column.int).nullable(),
});

/**
 * Every sweep's status, and its trials counted by status, in one statement (read at each metrics scrape).
 * `unchanged` names sweeps the caller counted when none of their trials was active: a finished trial never
 * changes, and new trials raise trials_created, so while a sweep's trials_created is the one given its
 * counts stand and are not read again (`trials: null`). Only the other sweeps' trials are counted
 * (ix_trials_sweep_status, index only), so a scrape costs the trials of live sweeps, not of all history.
 */
export function countSweepsAndTrials(manager: EntityManager, unchanged: readonly CountedSweep[]): Promise<SweepStatusCounts[]> {
  return queryRows(
    manager,
    Row,
    `SELECT s.id AS "sweepId", s.status, s.trials_created AS "trialsCreated",
            CASE WHEN k.id IS NULL THEN (
              SELECT coalesce(jsonb_object_agg(c.status, c.n), '{}'::jsonb)
              FROM (SELECT t.status, count(*)::int AS n FROM trials t WHERE t.sweep_id = s.id GROUP BY t.status) c
            ) END AS trials
     FROM sweeps s
     LEFT JOIN unnest($1::uuid[], $2::int[]) AS k(id, trials_created) ON k.id = s.id AND k.trials_created = s.trials_created`,
    [unchanged.map((s) => s.sweepId), unchanged.map((s) => s.trialsCreated)],
  );
}
