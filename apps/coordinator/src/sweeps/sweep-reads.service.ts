import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TRIAL_STATUSES, type ListSweepsQuery, type Page, type SweepDto, type TrialCounts, type TrialStatus } from '@tuneforge/contracts';
import { SweepEntity } from '@tuneforge/persistence';
import { paretoFront } from '@tuneforge/search';
import { NotFoundError } from '../common/domain-errors';
import { isUuid } from '../common/query';

interface SweepSummaryRow {
  sweep_id: string;
  status: TrialStatus;
  n: string;
}

interface BestRow {
  sweep_id: string;
  id: string;
  best_metric: number;
}

/** Builds sweep DTOs: the stored row plus trial counts and the best trial, a few queries per page. */
@Injectable()
export class SweepReads {
  constructor(private readonly dataSource: DataSource) {}

  async get(id: string): Promise<SweepDto> {
    const [dto] = await this.toDtos([await this.find(id)]);
    return dto;
  }

  async list(query: ListSweepsQuery): Promise<Page<SweepDto>> {
    const [sweeps, total] = await this.dataSource.manager.findAndCount(SweepEntity, {
      where: query.status ? { status: query.status } : {},
      order: { createdAt: 'DESC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items: await this.toDtos(sweeps), total, limit: query.limit, offset: query.offset };
  }

  /**
   * The trade-off between two objectives (the spec's paretoObjectives, else its objective and
   * param_count): each finished trial's best value of each, and the trials no other trial beats on both.
   */
  async pareto(id: string) {
    const sweep = await this.find(id, ['id', 'spec']);
    const objectives = sweep.spec.paretoObjectives ?? [sweep.spec.objective, { metric: 'param_count', direction: 'minimize' as const }];
    const rows: { id: string; number: number; name: string; low: number; high: number }[] = await this.dataSource.query(
      `SELECT t.id, t.number, mp.name, min(mp.value) AS low, max(mp.value) AS high
       FROM trials t JOIN metric_points mp ON mp.trial_id = t.id
       WHERE t.sweep_id = $1 AND t.status IN ('completed', 'pruned') AND mp.name = ANY($2)
       GROUP BY t.id, t.number, mp.name`,
      [id, objectives.map((o) => o.metric)],
    );
    const byTrial = new Map<string, { trialId: string; number: number; values: number[] }>();
    for (const row of rows) {
      const entry = byTrial.get(row.id) ?? { trialId: row.id, number: row.number, values: objectives.map(() => NaN) };
      objectives.forEach((o, i) => {
        if (o.metric === row.name) entry.values[i] = o.direction === 'minimize' ? row.low : row.high;
      });
      byTrial.set(row.id, entry);
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
    const sweep = isUuid(id) ? await this.dataSource.manager.findOne(SweepEntity, { where: { id }, select }) : null;
    if (!sweep) throw new NotFoundError('SWEEP_NOT_FOUND', 'sweep', id);
    return sweep;
  }

  async toDtos(sweeps: readonly SweepEntity[]): Promise<SweepDto[]> {
    if (sweeps.length === 0) return [];
    const ids = sweeps.map((s) => s.id);
    const [countRows, bestRows]: [SweepSummaryRow[], BestRow[]] = await Promise.all([
      this.dataSource.query(`SELECT sweep_id, status, count(*) AS n FROM trials WHERE sweep_id = ANY($1) GROUP BY sweep_id, status`, [ids]),
      this.dataSource.query(
        `SELECT DISTINCT ON (t.sweep_id) t.sweep_id, t.id, t.best_metric
         FROM trials t JOIN sweeps s ON s.id = t.sweep_id
         WHERE t.sweep_id = ANY($1) AND t.best_metric IS NOT NULL
         ORDER BY t.sweep_id, CASE WHEN s.spec->'objective'->>'direction' = 'maximize' THEN -t.best_metric ELSE t.best_metric END, t.number`,
        [ids],
      ),
    ]);
    return sweeps.map((sweep) => {
      const counts = emptyCounts();
      for (const row of countRows.filter((r) => r.sweep_id === sweep.id)) {
        counts[row.status] = Number(row.n);
        counts.total += Number(row.n);
      }
      const best = bestRows.find((r) => r.sweep_id === sweep.id);
      return toSweepDto(sweep, counts, best ? { trialId: best.id, value: best.best_metric } : null);
    });
  }
}

function emptyCounts(): TrialCounts {
  return Object.fromEntries([['total', 0], ...TRIAL_STATUSES.map((s) => [s, 0])]) as unknown as TrialCounts;
}

function toSweepDto(sweep: SweepEntity, trialCounts: TrialCounts, best: SweepDto['best']): SweepDto {
  return {
    id: sweep.id,
    name: sweep.name,
    status: sweep.status,
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
