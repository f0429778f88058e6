import type { EntityManager } from 'typeorm';
import { CheckpointEntity } from './entities';

/** Checkpoints kept per trial: the newest and the one before it, to fall back on if the newest is corrupt. */
export const CHECKPOINTS_KEPT = 2;

/** Stores a trial's checkpoint for an epoch (replacing one of the same epoch) and drops older ones. */
export async function saveCheckpoint(manager: EntityManager, trialId: string, epoch: number, format: string, bytes: Buffer): Promise<void> {
  await manager
    .createQueryBuilder()
    .insert()
    .into(CheckpointEntity)
    .values({ trialId, epoch, format, bytes, sizeBytes: bytes.length })
    .orUpdate(['format', 'bytes', 'size_bytes', 'created_at'], ['trial_id', 'epoch'])
    .execute();
  await manager.query(
    `DELETE FROM checkpoints WHERE trial_id = $1 AND epoch NOT IN (SELECT epoch FROM checkpoints WHERE trial_id = $1 ORDER BY epoch DESC LIMIT $2)`,
    [trialId, CHECKPOINTS_KEPT],
  );
}

/** A trial's checkpoints, newest first. */
export function checkpointsNewestFirst(manager: EntityManager, trialId: string): Promise<CheckpointEntity[]> {
  return manager.find(CheckpointEntity, { where: { trialId }, order: { epoch: 'DESC' } });
}
