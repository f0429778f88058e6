import type { EntityManager } from 'typeorm';
import type { Direction, TrialStatus } from '@tuneforge/contracts';
import { bestFirstOrder } from './best-first';

export interface RankedTrial {
  id: string;
  number: number;
  status: TrialStatus;
  bestMetric: number | null;
}

/** The dashboard's plots: trials in leaderboard order, their learning curves, and every trial's hyperparameters. */
export class CurveReadModel {
  constructor(private readonly manager: EntityManager) {}

  /** The sweep's `top` best trials, or the listed ones, best first for `direction`. */
  rankedTrials(sweepId: string, direction: Direction, pick: { top: number } | { ids: readonly string[] }): Promise<RankedTrial[]> {
    const columns = `id, number, status, best_metric AS "bestMetric"`;
    return 'ids' in pick
      ? this.manager.query(`SELECT ${columns} FROM trials WHERE sweep_id = $1 AND id = ANY($2::uuid[]) ORDER BY ${bestFirstOrder(direction)}`, [sweepId, pick.ids])
      : this.manager.query(`SELECT ${columns} FROM trials WHERE sweep_id = $1 ORDER BY ${bestFirstOrder(direction)} LIMIT $2`, [sweepId, pick.top]);
  }

  /** One metric's series of each trial, as a column of epochs and one of values (far fewer rows to decode than one per point). */
  series(trialIds: readonly string[], metric: string): Promise<{ trialId: string; epochs: number[]; values: number[] }[]> {
    if (trialIds.length === 0) return Promise.resolve([]);
    return this.manager.query(
      `SELECT trial_id AS "trialId", array_agg(epoch ORDER BY epoch) AS epochs, array_agg(value ORDER BY epoch) AS values
       FROM metric_points WHERE trial_id = ANY($1::uuid[]) AND name = $2 GROUP BY trial_id`,
      [trialIds, metric],
    );
  }

  /** Every trial of the sweep with its hyperparameters, by number. */
  trialsWithHyperparameters(sweepId: string): Promise<(RankedTrial & { hyperparameters: Record<string, unknown> | null })[]> {
    return this.manager.query(
      `SELECT id, number, status, best_metric AS "bestMetric", config->'hyperparameters' AS hyperparameters FROM trials WHERE sweep_id = $1 ORDER BY number`,
      [sweepId],
    );
  }
}
