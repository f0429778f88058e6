import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import type { Direction } from '@tuneforge/contracts';
import { column, queryRows } from '../rows';
import { bestFirstOrder, bestValueOrder } from './best-first';

const RankedTrialRow = z.object({ id: column.id, number: column.int, status: column.trialStatus, bestMetric: column.float.nullable() });
export type RankedTrial = z.infer<typeof RankedTrialRow>;

/** The dashboard's plots: trials in leaderboard order, their learning curves, and every trial's hyperparameters. */
export class CurveReadModel {
  constructor(private readonly manager: EntityManager) {}

  /** The sweep's `top` best trials (those with a value read from the index, then those without), or the listed ones, best first for `direction`. */
  rankedTrials(sweepId: string, direction: Direction, pick: { top: number } | { ids: readonly string[] }): Promise<RankedTrial[]> {
    const columns = `id, number, status, best_metric`;
    const answer = `SELECT id, number, status, best_metric AS "bestMetric"`;
    return 'ids' in pick
      ? queryRows(this.manager, RankedTrialRow, `${answer} FROM trials WHERE sweep_id = $1 AND id = ANY($2::uuid[]) ORDER BY ${bestFirstOrder(direction)}`, [sweepId, pick.ids])
      : queryRows(
          this.manager,
          RankedTrialRow,
          `${answer} FROM (
             (SELECT ${columns} FROM trials WHERE sweep_id = $1 AND best_metric IS NOT NULL ORDER BY ${bestValueOrder(direction)} LIMIT $2)
             UNION ALL (SELECT ${columns} FROM trials WHERE sweep_id = $1 AND best_metric IS NULL ORDER BY number LIMIT $2)
           ) ranked ORDER BY ${bestFirstOrder(direction)} LIMIT $2`,
          [sweepId, pick.top],
        );
  }

  /** One metric's series of each trial, as a column of epochs and one of values (far fewer rows to decode than one per point). */
  series(trialIds: readonly string[], metric: string): Promise<{ trialId: string; epochs: number[]; values: number[] }[]> {
    if (trialIds.length === 0) return Promise.resolve([]);
    return queryRows(
      this.manager,
      z.object({ trialId: column.id, epochs: z.array(column.int), values: z.array(column.float) }),
      `SELECT trial_id AS "trialId", array_agg(epoch ORDER BY epoch) AS epochs, array_agg(value ORDER BY epoch) AS values
       FROM metric_points WHERE trial_id = ANY($1::uuid[]) AND name = $2 GROUP BY trial_id`,
      [trialIds, metric],
    );
  }

  /** The sweep's trials with their hyperparameters, by number: all of them, or the `best` best with a value for `direction` (read from the index). */
  trialsWithHyperparameters(
    sweepId: string,
    which: 'all' | { best: number; direction: Direction },
  ): Promise<(RankedTrial & { hyperparameters: Record<string, unknown> | null; lastEpoch: number | null })[]> {
    const columns = `id, number, status, best_metric AS "bestMetric", last_epoch AS "lastEpoch", config->'hyperparameters' AS hyperparameters`;
    const row = RankedTrialRow.extend({ hyperparameters: z.record(z.string(), z.unknown()).nullable(), lastEpoch: column.int.nullable() });
    return which === 'all'
      ? queryRows(this.manager, row, `SELECT ${columns} FROM trials WHERE sweep_id = $1 ORDER BY number`, [sweepId])
      : queryRows(
          this.manager,
          row,
          `SELECT ${columns} FROM (SELECT * FROM trials WHERE sweep_id = $1 AND best_metric IS NOT NULL ORDER BY ${bestValueOrder(which.direction)} LIMIT $2) best ORDER BY number`,
          [sweepId, which.best],
        );
  }
}
