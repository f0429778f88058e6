import { Injectable } from '@nestjs/common';
import type { ListSweepsQuery, Page, SweepDto, TrialCounts } from '@tuneforge/contracts';
import { Stores, type SweepEntity } from '@tuneforge/persistence';
import { paretoFront } from '@tuneforge/search';
import { NotFoundError } from '../common/domain-errors';
import { isUuid } from '../common/query';
import { emptyCounts, TrialCountCache } from './trial-counts';

/** Builds sweep DTOs: the stored row plus trial counts and the best trial, a few queries per page. */
@Injectable()
export class SweepReads {
  private readonly counts: TrialCountCache;

  constructor(private readonly stores: Stores) {
    this.counts = new TrialCountCache(stores);
  }

  async get(id: string): Promise<SweepDto> {
    const [dto] = await this.toDtos([await this.find(id)]);
    return dto;
  }

  async list(query: ListSweepsQuery, projects: readonly string[] | 'all'): Promise<Page<SweepDto>> {
    const [sweeps, total] = await this.stores.sweepReads.page(query, projects);
    return { items: await this.toDtos(sweeps), total, limit: query.limit, offset: query.offset };
  }

  /**
   * The trade-off between two objectives (the spec's paretoObjectives, else its objective and
   * param_count): each finished trial's best value of each, and the trials no other trial beats on both.
   */
  async pareto(id: string) {
    const sweep = await this.find(id, ['id', 'spec']);
    const objectives = sweep.spec.paretoObjectives ?? [sweep.spec.objective, { metric: 'param_count', direction: 'minimize' as const }];
    const rows = await this.stores.sweepReads.metricRanges(id, objectives.map((o) => o.metric));
    const byTrial = new Map<string, { trialId: string; number: number; values: number[] }>();
    for (const row of rows) {
      const entry = byTrial.get(row.trialId) ?? { trialId: row.trialId, number: row.number, values: objectives.map(() => NaN) };
      objectives.forEach((o, i) => {
        if (o.metric === row.name) entry.values[i] = o.direction === 'minimize' ? row.low : row.high;
      });
      byTrial.set(row.trialId, entry);
    }
    const points = [...byTrial.values()].filter((t) => t.values.every(Number.isFinite)).map((t) => ({ item: t, values: t.values }));
    const front = paretoFront(points, objectives.map((o) => o.direction));
    const toDto = (t: { trialId: string; number: number; values: number[] }) => ({
      trialId: t.trialId,
      number: t.number,
      values: Object.fromEntries(objectives.map((o, i) => [o.metric, t.values[i]])),
    });
    return { sweepId: id, objectives, front: front.map((p) => toDto(p.item)), trialsCompared: points.length };
  }

  private async find(id: string, select?: (keyof SweepEntity)[]): Promise<SweepEntity> {
    const sweep = isUuid(id) ? await this.stores.sweeps.find(id, select) : undefined;
    if (!sweep) throw new NotFoundError('SWEEP_NOT_FOUND', 'sweep', id);
    return sweep;
  }

  async toDtos(sweeps: readonly SweepEntity[]): Promise<SweepDto[]> {
    if (sweeps.length === 0) return [];
    const ids = sweeps.map((s) => s.id);
    const [counts, bestRows] = await Promise.all([this.counts.countsOf(ids), this.stores.sweepReads.bestTrials(ids)]);
    return sweeps.map((sweep) => {
      const best = bestRows.find((r) => r.sweepId === sweep.id);
      return toSweepDto(sweep, counts.get(sweep.id) ?? emptyCounts(), best ? { trialId: best.trialId, value: best.value, testMetrics: best.testMetrics } : null);
    });
  }
}

function toSweepDto(sweep: SweepEntity, trialCounts: TrialCounts, best: SweepDto['best']): SweepDto {
  return {
    id: sweep.id,
    name: sweep.name,
    projectId: sweep.projectId,
    status: sweep.status,
    statusReason: sweep.statusReason,
    spec: sweep.spec,
    seed: sweep.seed,
    objective: sweep.spec.objective,
    algorithm: sweep.spec.algorithm.type,
    plannedTrials: sweep.plannedTrials,
    trialsCreated: sweep.trialsCreated,
    trialCounts,
    best,
    createdAt: sweep.createdAt.toISOString(),
    updatedAt: sweep.updatedAt.toISOString(),
    finishedAt: sweep.finishedAt?.toISOString() ?? null,
  };
}
