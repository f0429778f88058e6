import { In, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { SCORED_TRIAL_STATUSES, type SweepStatus, type TrialStatus } from '@tuneforge/contracts';
import { SweepEntity } from '../entities';
import { column, queryRows } from '../rows';

export interface SweepPageQuery {
  status?: SweepStatus;
  limit: number;
  offset: number;
}

/** Sweeps as the API lists them, with their trials' counts and best values. */
export class SweepReadModel {
  constructor(private readonly manager: EntityManager) {}

  /** One page of the sweeps of `projects` (`all`: every project), newest first, and how many match in all. */
  page({ status, limit, offset }: SweepPageQuery, projects: readonly string[] | 'all'): Promise<[SweepEntity[], number]> {
    const where = { ...(status ? { status } : {}), ...(projects === 'all' ? {} : { projectId: In([...projects]) }) };
    return this.manager.findAndCount(SweepEntity, { where, order: { createdAt: 'DESC', id: 'ASC' }, take: limit, skip: offset });
  }

  /** Each sweep's trials counted by status. */
  trialCounts(sweepIds: readonly string[]): Promise<{ sweepId: string; status: TrialStatus; n: number }[]> {
    return queryRows(
      this.manager,
      z.object({ sweepId: column.id, status: column.trialStatus, n: column.int }),
      `SELECT sweep_id AS "sweepId", status, count(*)::int AS n FROM trials WHERE sweep_id = ANY($1) GROUP BY sweep_id, status`,
      [sweepIds],
    );
  }

  /** Each sweep's best trial for its objective's direction (lowest number on ties); sweeps without a result are left out. */
  bestTrials(sweepIds: readonly string[]): Promise<{ sweepId: string; trialId: string; value: number; testMetrics: Record<string, number> | null }[]> {
    return queryRows(
      this.manager,
      z.object({ sweepId: column.id, trialId: column.id, value: column.float, testMetrics: column.metrics.nullable() }),
      `SELECT DISTINCT ON (t.sweep_id) t.sweep_id AS "sweepId", t.id AS "trialId", t.best_metric AS value, t.test_metrics AS "testMetrics"
       FROM trials t JOIN sweeps s ON s.id = t.sweep_id
       WHERE t.sweep_id = ANY($1) AND t.best_metric IS NOT NULL
       ORDER BY t.sweep_id, CASE WHEN s.spec->'objective'->>'direction' = 'maximize' THEN -t.best_metric ELSE t.best_metric END, t.number`,
      [sweepIds],
    );
  }

  /** The lowest and highest value of each named metric of each finished trial with a result. */
  metricRanges(sweepId: string, metrics: readonly string[]): Promise<{ trialId: string; number: number; name: string; low: number; high: number }[]> {
    return queryRows(
      this.manager,
      z.object({ trialId: column.id, number: column.int, name: column.text, low: column.float, high: column.float }),
      `SELECT t.id AS "trialId", t.number, mp.name, min(mp.value) AS low, max(mp.value) AS high
       FROM trials t JOIN metric_points mp ON mp.trial_id = t.id
       WHERE t.sweep_id = $1 AND t.status = ANY($3::trial_status[]) AND mp.name = ANY($2)
       GROUP BY t.id, t.number, mp.name`,
      [sweepId, metrics, SCORED_TRIAL_STATUSES],
    );
  }
}
