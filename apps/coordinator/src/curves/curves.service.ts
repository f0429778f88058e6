import { Injectable } from '@nestjs/common';
import type { CurveDto, SweepCurvesDto, SweepCurvesQuery, TrialPointsDto, TrialPointsQuery } from '@tuneforge/contracts';
import { Stores, type SweepEntity } from '@tuneforge/persistence';
import { NotFoundError } from '../common/domain-errors';
import { isUuid } from '../common/query';
import { downsampleLttb } from './downsample';

/** Read models for the dashboard's plots: learning curves of the best trials, and every trial's config and objective. */
@Injectable()
export class CurvesService {
  constructor(private readonly stores: Stores) {}

  /** One metric of the sweep's best trials (leaderboard order) or of the listed trials, each downsampled to `points`. */
  async sweepCurves(sweepId: string, query: SweepCurvesQuery): Promise<SweepCurvesDto> {
    const sweep = await this.findSweep(sweepId);
    const metric = query.metric ?? sweep.spec.objective.metric;
    const direction = sweep.spec.objective.direction;
    const trials = await this.stores.curves.rankedTrials(sweepId, direction, query.trials ? { ids: query.trials.split(',') } : { top: query.top });
    const rows = await this.stores.curves.series(
      trials.map((t) => t.id),
      metric,
    );
    const series = new Map(rows.map((row) => [row.trialId, { epochs: row.epochs, values: row.values }]));
    const curves: CurveDto[] = trials.map((t) => {
      const stored = series.get(t.id) ?? { epochs: [], values: [] };
      return { trialId: t.id, number: t.number, status: t.status, bestMetric: t.bestMetric, storedPoints: stored.epochs.length, ...downsampleLttb(stored, query.points) };
    });
    return { sweepId, metric, points: query.points, curves };
  }

  /** The trials' hyperparameters and best objective (every trial, or the best `limit` with a value), in columns; the parameters are the search space's dimensions. */
  async trialPoints(sweepId: string, query: TrialPointsQuery): Promise<TrialPointsDto> {
    const sweep = await this.findSweep(sweepId);
    const parameters = Object.keys(sweep.spec.searchSpace);
    const rows = await this.stores.curves.trialsWithHyperparameters(sweepId, sweep.trialsCreated <= query.limit ? 'all' : { best: query.limit, direction: sweep.spec.objective.direction });
    return {
      sweepId,
      objective: sweep.spec.objective,
      total: sweep.trialsCreated,
      parameters,
      trials: rows.map((row) => ({
        id: row.id,
        number: row.number,
        status: row.status,
        objective: row.bestMetric,
        values: parameters.map((name) => plotValue(row.hyperparameters?.[name])),
      })),
    };
  }

  private async findSweep(id: string): Promise<Pick<SweepEntity, 'id' | 'spec' | 'trialsCreated'>> {
    const sweep = isUuid(id) ? await this.stores.sweeps.find(id, ['id', 'spec', 'trialsCreated']) : undefined;
    if (!sweep) throw new NotFoundError('SWEEP_NOT_FOUND', 'sweep', id);
    return sweep;
  }
}

function plotValue(value: unknown): number | string | boolean | null {
  if (Array.isArray(value)) return value.join('/');
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  return null;
}
