import type { EntityManager } from 'typeorm';
import { preparedQuery } from './prepared-query';

export interface MetricPointInput {
  sweepId: string;
  trialId: string;
  epoch: number;
  name: string;
  value: number;
  /** The claim (the trial's `attempts`) of the run that measured it: points of a superseded run are dropped. */
  attempt: number;
}

/**
 * Writes metric points, replacing any already stored for the same (trial, name, epoch): an epoch
 * replayed after a crash overwrites its values instead of duplicating them, under a new id, so that
 * readers of new points (the live feed, the workers' rung indexes) read it again. The rows travel as five
 * arrays, so a batch of any size is one short statement with six parameters. Fenced: only points of
 * the trial's current attempt while it runs are written: a superseded run's points, and those a run
 * measured after its trial was cancelled (before its next check stopped it), are dropped without an error.
 * Every flush of a run's own points happens while it runs (before its checkpoint, its end, its hand-back).
 */
export async function upsertMetricPoints(manager: EntityManager, points: readonly MetricPointInput[]): Promise<void> {
  if (points.length === 0) return;
  // One row per (trial, name, epoch) in a batch: ON CONFLICT cannot update a row twice in one statement.
  const latest = new Map(points.map((p) => [`${p.trialId}/${p.name}/${p.epoch}`, p]));
  const rows = [...latest.values()];
  await preparedQuery(
    manager,
    'tuneforge-upsert-metric-points',
    `INSERT INTO metric_points (sweep_id, trial_id, epoch, name, value)
     SELECT p.sweep_id, p.trial_id, p.epoch, p.name, p.value
     FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::float8[], $6::int[]) AS p(sweep_id, trial_id, epoch, name, value, attempt)
     JOIN trials t ON t.id = p.trial_id AND t.attempts = p.attempt AND t.status = 'running'
     ON CONFLICT (trial_id, name, epoch) DO UPDATE SET value = EXCLUDED.value, recorded_at = now(), id = DEFAULT`,
    [
      rows.map((p) => p.sweepId),
      rows.map((p) => p.trialId),
      rows.map((p) => p.epoch),
      rows.map((p) => p.name),
      rows.map((p) => p.value),
      rows.map((p) => p.attempt),
    ],
  );
}
