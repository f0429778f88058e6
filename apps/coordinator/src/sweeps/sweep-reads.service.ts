import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TRIAL_STATUSES, type ListSweepsQuery, type Page, type SweepDto, type TrialCounts, type TrialStatus } from '@tuneforge/contracts';
import { SweepEntity } from '@tuneforge/persistence';
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
    const sweep = isUuid(id) ? await this.dataSource.manager.findOne(SweepEntity, { where: { id } }) : null;
    if (!sweep) throw new NotFoundError('sweep', id);
    const [dto] = await this.toDtos([sweep]);
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
