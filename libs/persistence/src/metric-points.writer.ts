import type { EntityManager } from 'typeorm';
import { MetricPointEntity } from './entities';

export interface MetricPointInput {
  sweepId: string;
  trialId: string;
  epoch: number;
  name: string;
  value: number;
}

/** PostgreSQL takes at most 65,535 bind parameters per statement; each row uses five. */
const ROWS_PER_STATEMENT = 10_000;

/**
 * Writes metric points, replacing any already stored for the same (trial, name, epoch): an epoch
 * replayed after a crash overwrites its values instead of duplicating them.
 */
export async function upsertMetricPoints(manager: EntityManager, points: readonly MetricPointInput[]): Promise<void> {
  for (let start = 0; start < points.length; start += ROWS_PER_STATEMENT) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(MetricPointEntity)
      .values(points.slice(start, start + ROWS_PER_STATEMENT).map((p) => ({ sweepId: p.sweepId, trialId: p.trialId, epoch: p.epoch, name: p.name, value: p.value })))
      .orUpdate(['value', 'recorded_at'], ['trial_id', 'name', 'epoch'])
      .execute();
  }
}
