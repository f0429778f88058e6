import type { EntityManager } from 'typeorm';
import { CheckpointEntity } from './entities';
import { preparedQuery } from './prepared-query';

/** Checkpoints kept per trial: the newest and the one before it, to fall back on if the newest is corrupt. */
export const CHECKPOINTS_KEPT = 2;

export interface CheckpointToSave {
  trialId: string;
  epoch: number;
  format: string;
  bytes: Buffer;
  /** The trial's best objective value so far, recorded with its progress. */
  bestMetric: number | null;
  /** The claim (the trial's `attempts`) this run holds: a checkpoint of a superseded run is refused. */
  attempt: number;
}

/**
 * Stores a trial's checkpoint for an epoch (replacing one of the same epoch), keeps it and the
 * CHECKPOINTS_KEPT - 1 newest before it, and records the epoch and best value on the trial: one
 * statement, so the trial's progress and its checkpoints never disagree. Checkpoints of later epochs
 * go: they belong to a run the trial left when it resumed from an older (readable) checkpoint.
 *
 * Fenced: nothing is written unless the trial is running under `attempt` (its row is locked first, so a
 * claim committing meanwhile is seen). Returns whether the checkpoint was stored.
 */
export async function saveCheckpoint(manager: EntityManager, checkpoint: CheckpointToSave): Promise<boolean> {
  const { trialId, epoch, format, bytes, bestMetric, attempt } = checkpoint;
  const rows = await preparedQuery(
    manager,
    'tuneforge-save-checkpoint',
    `WITH current AS (
       SELECT id FROM trials WHERE id = $1 AND attempts = $8 AND status = 'running' FOR NO KEY UPDATE
     ), saved AS (
       INSERT INTO checkpoints (trial_id, epoch, format, bytes, size_bytes) SELECT id, $2, $3, $4, $5 FROM current
       ON CONFLICT (trial_id, epoch) DO UPDATE SET format = EXCLUDED.format, bytes = EXCLUDED.bytes, size_bytes = EXCLUDED.size_bytes, created_at = now()
     ), dropped AS (
       DELETE FROM checkpoints WHERE trial_id IN (SELECT id FROM current) AND epoch <> $2
         AND (epoch > $2 OR epoch NOT IN (SELECT epoch FROM checkpoints WHERE trial_id = $1 AND epoch < $2 ORDER BY epoch DESC LIMIT $7 - 1))
     )
     UPDATE trials t SET last_epoch = $2, best_metric = $6, updated_at = now() FROM current WHERE t.id = current.id RETURNING t.id`,
    [trialId, epoch, format, bytes, bytes.length, bestMetric, CHECKPOINTS_KEPT, attempt],
  );
  return rows.length > 0;
}

/** A trial's checkpoints, newest first. */
export function checkpointsNewestFirst(manager: EntityManager, trialId: string): Promise<CheckpointEntity[]> {
  return manager.find(CheckpointEntity, { where: { trialId }, order: { epoch: 'DESC' } });
}
