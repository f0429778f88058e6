import type { EntityManager } from 'typeorm';
import { CheckpointEntity } from './entities';
import { preparedQuery } from './prepared-query';

/** Newest checkpoints kept per trial: the newest and the one before it, to fall back on if the newest is corrupt. The best epoch's is kept too. */
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
  /**
   * The epoch that scored `bestMetric`, when this run knows it (null: a resumed run that has not improved
   * yet; the stored best epoch stays). `bestBytes` are that epoch's checkpoint when it is not stored yet
   * (a best between two checkpoints); the best epoch is `epoch` itself when they are the same.
   */
  bestEpoch?: number | null;
  bestBytes?: Buffer;
}

/**
 * Stores a trial's checkpoint for an epoch (replacing one of the same epoch), and the best epoch's when
 * it is given; keeps them, the CHECKPOINTS_KEPT - 1 newest before the new one and the best epoch's; and
 * records the epoch, the best value and the best epoch on the trial: one statement, so the trial's
 * progress, its best and its checkpoints never disagree. Checkpoints of later epochs go: they belong to
 * a run the trial left when it resumed from an older (readable) checkpoint, and so does a best epoch
 * past this one.
 *
 * Fenced: nothing is written unless the trial is running under `attempt` (its row is locked first, so a
 * claim committing meanwhile is seen). Returns whether the checkpoint was stored.
 */
export async function saveCheckpoint(manager: EntityManager, checkpoint: CheckpointToSave): Promise<boolean> {
  const { trialId, epoch, format, bytes, bestMetric, attempt, bestEpoch, bestBytes } = checkpoint;
  const rows = await preparedQuery(
    manager,
    'tuneforge-save-checkpoint',
    `WITH current AS (
       SELECT id, CASE WHEN best_epoch <= $2 THEN best_epoch END AS stored_best FROM trials WHERE id = $1 AND attempts = $7 AND status = 'running' FOR NO KEY UPDATE
     ), best AS (
       SELECT COALESCE($8::int, stored_best) AS epoch FROM current
     ), written AS (
       SELECT $2::int AS epoch, $4::bytea AS bytes
       UNION ALL SELECT $8::int, $9::bytea WHERE $9::bytea IS NOT NULL AND $8::int < $2
     ), saved AS (
       INSERT INTO checkpoints (trial_id, epoch, format, bytes, size_bytes) SELECT c.id, w.epoch, $3, w.bytes, length(w.bytes) FROM current c, written w
       ON CONFLICT (trial_id, epoch) DO UPDATE SET format = EXCLUDED.format, bytes = EXCLUDED.bytes, size_bytes = EXCLUDED.size_bytes, created_at = now()
     ), dropped AS (
       DELETE FROM checkpoints WHERE trial_id IN (SELECT id FROM current) AND epoch <> $2 AND epoch IS DISTINCT FROM (SELECT epoch FROM best)
         AND (epoch > $2 OR epoch NOT IN (SELECT epoch FROM checkpoints WHERE trial_id = $1 AND epoch < $2 ORDER BY epoch DESC LIMIT $6 - 1))
     )
     UPDATE trials t SET last_epoch = $2, best_metric = $5, best_epoch = (SELECT epoch FROM best), updated_at = now() FROM current WHERE t.id = current.id RETURNING t.id`,
    [trialId, epoch, format, bytes, bestMetric, CHECKPOINTS_KEPT, attempt, bestEpoch ?? null, bestBytes ?? null],
  );
  return rows.length > 0;
}

/** A trial's checkpoints, newest first. */
export function checkpointsNewestFirst(manager: EntityManager, trialId: string): Promise<CheckpointEntity[]> {
  return manager.find(CheckpointEntity, { where: { trialId }, order: { epoch: 'DESC' } });
}

/** The stored checkpoint of the trial's best epoch (the model it hands over), if it has one. */
export async function bestEpochCheckpoint(manager: EntityManager, trialId: string): Promise<CheckpointEntity | undefined> {
  const [row] = await manager
    .createQueryBuilder(CheckpointEntity, 'c')
    .innerJoin('trials', 't', 't.id = c.trial_id AND t.best_epoch = c.epoch')
    .where('c.trial_id = :trialId', { trialId })
    .getMany();
  return row;
}
