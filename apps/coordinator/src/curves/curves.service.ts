import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { CurveDto, SweepCurvesDto, SweepCurvesQuery, TrialPointsDto, TrialStatus } from '@tuneforge/contracts';
import { SweepEntity } from '@tuneforge/persistence';
import { NotFoundError } from '../common/domain-errors';
import { isUuid } from '../common/query';
import { downsampleLttb } from './downsample';

interface TrialRow {
  id: string;
  number: number;
  status: TrialStatus;
  best_metric: number | null;
}

/** Read models for the dashboard's plots: learning curves of the best trials, and every trial's config and objective. */
@Injectable()
export class CurvesService {
  constructor(private readonly dataSource: DataSource) {}

  /** One metric of the sweep's best trials (leaderboard order) or of the listed trials, each downsampled to `points`. */
  async sweepCurves(sweepId: string, query: SweepCurvesQuery): Promise<SweepCurvesDto> {
    const sweep = await this.findSweep(sweepId);
    const metric = query.metric ?? sweep.spec.objective.metric;
    const bestFirst = sweep.spec.objective.direction === 'maximize' ? 'DESC' : 'ASC';
    const trials: TrialRow[] = query.trials
      ? await this.dataSource.query(
          `SELECT id, number, status, best_metric FROM trials WHERE sweep_id = $1 AND id = ANY($2::uuid[])
           ORDER BY best_metric ${bestFirst} NULLS LAST, number`,
          [sweepId, query.trials.split(',')],
        )
      : await this.dataSource.query(
          `SELECT id, number, status, best_metric FROM trials WHERE sweep_id = $1
           ORDER BY best_metric ${bestFirst} NULLS LAST, number LIMIT $2`,
          [sweepId, query.top],
        );
    // One row per trial with its series as two arrays: far fewer rows to decode than one per point.
    const rows: { trial_id: string; epochs: number[]; values: number[] }[] = trials.length
      ? await this.dataSource.query(
          `SELECT trial_id, array_agg(epoch ORDER BY epoch) AS epochs, array_agg(value ORDER BY epoch) AS values
           FROM metric_points WHERE trial_id = ANY($1::uuid[]) AND name = $2 GROUP BY trial_id`,
          [trials.map((t) => t.id), metric],
        )
      : [];
    const series = new Map(rows.map((row) => [row.trial_id, { epochs: row.epochs, values: row.values }]));
    const curves: CurveDto[] = trials.map((t) => {
      const stored = series.get(t.id) ?? { epochs: [], values: [] };
      return { trialId: t.id, number: t.number, status: t.status, bestMetric: t.best_metric, storedPoints: stored.epochs.length, ...downsampleLttb(stored, query.points) };
    });
    return { sweepId, metric, points: query.points, curves };
  }

  /** Every trial's hyperparameters and best objective, in columns; the parameters are the search space's dimensions. */
  async trialPoints(sweepId: string): Promise<TrialPointsDto> {
    const sweep = await this.findSweep(sweepId);
    const parameters = Object.keys(sweep.spec.searchSpace);
    const rows: (TrialRow & { hyperparameters: Record<string, unknown> })[] = await this.dataSource.query(
      `SELECT id, number, status, best_metric, config->'hyperparameters' AS hyperparameters FROM trials WHERE sweep_id = $1 ORDER BY number`,
      [sweepId],
    );
    return {
      sweepId,
      objective: sweep.spec.objective,
      parameters,
      trials: rows.map((row) => ({
        id: row.id,
        number: row.number,
        status: row.status,
        objective: row.best_metric,
        values: parameters.map((name) => plotValue(row.hyperparameters?.[name])),
      })),
    };
  }

  private async findSweep(id: string): Promise<Pick<SweepEntity, 'id' | 'spec'>> {
    const sweep = isUuid(id) ? await this.dataSource.manager.findOne(SweepEntity, { where: { id }, select: ['id', 'spec'] }) : null;
    if (!sweep) throw new NotFoundError('SWEEP_NOT_FOUND', 'sweep', id);
    return sweep;
  }
}

function plotValue(value: unknown): number | string | boolean | null {
  if (Array.isArray(value)) return value.join('/');
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return null;
}
