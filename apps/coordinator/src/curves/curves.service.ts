import { Injectable } from '@nestjs/common';
import { parameterAxis, type CurveDto, type ImportanceDto, type SweepCurvesDto, type SweepCurvesQuery, type TrialPointsDto, type TrialPointsQuery } from '@tuneforge/contracts';
import { importanceOffThread, IMPORTANCE_METHOD, MIN_IMPORTANCE_TRIALS, type ImportanceFeature } from '@tuneforge/search';
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
    return this.pointsOf(await this.findSweep(sweepId), query);
  }

  private async pointsOf(sweep: Pick<SweepEntity, 'id' | 'spec' | 'trialsCreated'>, query: TrialPointsQuery): Promise<TrialPointsDto> {
    const sweepId = sweep.id;
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
        epochs: row.lastEpoch,
        values: parameters.map((name) => plotValue(row.hyperparameters?.[name])),
      })),
    };
  }

  /**
   * How much the objective depends on each searched hyperparameter, from the finished trials' points. Remembered per
   * sweep until another trial finishes: a forest takes a moment to grow, and a sweep page asks again on every event.
   */
  async importance(sweepId: string): Promise<ImportanceDto> {
    const sweep = await this.findSweep(sweepId);
    const points = await this.pointsOf(sweep, { limit: 5_000 });
    const finished = points.trials.filter((t): t is typeof t & { objective: number } => t.objective !== null);
    const key = `${sweepId}:${finished.length}`;
    const cached = this.importanceCache.get(sweepId);
    if (cached?.key === key) return cached.value;
    const value = this.computeImportance(sweep.spec, points, finished);
    this.importanceCache.set(sweepId, { key, value });
    if (this.importanceCache.size > 32) this.importanceCache.delete(this.importanceCache.keys().next().value as string);
    // A failed computation is not remembered.
    return value.catch((error: unknown) => {
      if (this.importanceCache.get(sweepId)?.value === value) this.importanceCache.delete(sweepId);
      throw error;
    });
  }

  private async computeImportance(spec: SweepEntity['spec'], points: TrialPointsDto, finished: (TrialPointsDto['trials'][number] & { objective: number })[]): Promise<ImportanceDto> {
    const features: (ImportanceFeature & { column: number })[] = [];
    points.parameters.forEach((name, column) => {
      const axis = parameterAxis(spec.searchSpace, name, finished.map((t) => t.values[column]));
      if (axis.kind === 'category') features.push({ name, kind: 'category', categories: axis.categories, column });
      else if (axis.kind !== 'constant') features.push({ name, kind: axis.kind, column });
    });
    const base = { sweepId: points.sweepId, objective: points.objective, method: IMPORTANCE_METHOD, trials: finished.length };
    if (features.length === 0) return { ...base, trained: 0, measured: 0, parameters: [], note: 'the sweep searches no hyperparameter: every one is fixed' };
    if (finished.length < MIN_IMPORTANCE_TRIALS) return { ...base, trained: 0, measured: 0, parameters: [], note: `needs ${MIN_IMPORTANCE_TRIALS} finished trials; ${finished.length} so far` };
    const result = await importanceOffThread(
      features.map(({ column: _, ...feature }) => feature),
      finished.map((t) => ({ values: features.map((f) => t.values[f.column]), objective: t.objective })),
    );
    return { ...base, trained: result.trained, measured: result.measured, parameters: result.parameters, note: null };
  }

  /** A computation per sweep (running or done), until another trial of it finishes. */
  private readonly importanceCache = new Map<string, { key: string; value: Promise<ImportanceDto> }>();

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
