import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { FINISHED_TRIAL_STATUSES, SCORED_TRIAL_STATUSES, type Direction } from '@tuneforge/contracts';
import { bestValueOrder } from '../read-models/best-first';
import { column, queryRow } from '../rows';

/** Checkpoints one retention statement deletes at most; a pass repeats it until less is left (each statement stays short). */
const CHECKPOINTS_PER_DELETE = 1_000;

export interface RetentionResult {
  checkpoints: number;
  bytes: number;
}

/**
 * The coordinator's statements on checkpoints (the worker's own, fenced by attempt, are in checkpoints.repository.ts).
 */
export class CheckpointStore {
  constructor(private readonly manager: EntityManager) {}

  /**
   * Retention: deletes the checkpoints of the sweep's finished trials (completed, pruned, failed, cancelled) that are not
   * among its `keep` best scored trials (completed or pruned, with a value; best first as the leaderboard orders them).
   * A queued or running trial keeps its checkpoints whatever its value: they are its resume point. Only finished trials
   * are ranked, so a trial out of the best `keep` can never come back into them: the scored set only grows, and a finished
   * trial's value never changes. Rows another pass is deleting are skipped (SKIP LOCKED), so passes may overlap.
   */
  async dropOutsideBest(sweepId: string, direction: Direction, keep: number): Promise<RetentionResult> {
    const total: RetentionResult = { checkpoints: 0, bytes: 0 };
    for (;;) {
      const dropped = await queryRow(
        this.manager,
        z.object({ checkpoints: column.int, bytes: column.float }),
        `WITH best AS (
           SELECT t.id FROM trials t WHERE t.sweep_id = $1 AND t.status = ANY($2::trial_status[]) AND t.best_metric IS NOT NULL
           ORDER BY ${bestValueOrder(direction, 't')} LIMIT $3
         ), doomed AS (
           SELECT c.id FROM checkpoints c JOIN trials t ON t.id = c.trial_id
           WHERE t.sweep_id = $1 AND t.status = ANY($4::trial_status[]) AND t.id NOT IN (SELECT id FROM best)
           LIMIT $5 FOR UPDATE OF c SKIP LOCKED
         ), dropped AS (
           DELETE FROM checkpoints c USING doomed d WHERE c.id = d.id RETURNING c.size_bytes
         )
         SELECT count(*)::int AS checkpoints, coalesce(sum(size_bytes), 0)::float8 AS bytes FROM dropped`,
        [sweepId, SCORED_TRIAL_STATUSES, keep, FINISHED_TRIAL_STATUSES, CHECKPOINTS_PER_DELETE],
      );
      total.checkpoints += dropped.checkpoints;
      total.bytes += dropped.bytes;
      if (dropped.checkpoints < CHECKPOINTS_PER_DELETE) return total;
    }
  }
}
