import { In, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { ACTIVE_TRIAL_STATUSES, SCORED_TRIAL_STATUSES, type Direction, type SweepStatus, type TrialStatus } from '@tuneforge/contracts';
import { SweepEntity } from '../entities';
import { column, queryRows } from '../rows';
import { bestValueOrder } from './best-first';

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

  /**
   * Each sweep's active frontier: the number of its lowest-numbered queued or running trial, or its trialsCreated when
   * none is. Every trial below it has finished, and a finished trial never changes (lifecycle): counts below it are final.
   */
  async activeFrontiers(sweepIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await queryRows(
      this.manager,
      z.object({ sweepId: column.id, frontier: column.int }),
      `SELECT s.id AS "sweepId", coalesce(min(t.number), s.trials_created) AS frontier
       FROM sweeps s LEFT JOIN trials t ON t.sweep_id = s.id AND t.status = ANY($2::trial_status[])
       WHERE s.id = ANY($1) GROUP BY s.id`,
      [sweepIds, ACTIVE_TRIAL_STATUSES],
    );
    return new Map(rows.map((row) => [row.sweepId, row.frontier]));
  }

  /** The trials of each range (a sweep's numbers from `from`, below `to` when given) counted by status; `range` is its index. */
  trialCountsIn(ranges: readonly { sweepId: string; from: number; to?: number }[]): Promise<{ range: number; status: TrialStatus; n: number }[]> {
    if (ranges.length === 0) return Promise.resolve([]);
    return queryRows(
      this.manager,
      z.object({ range: column.int, status: column.trialStatus, n: column.int }),
      // LATERAL, so that each range is an index range of uq_trials_sweep_number (a join would count the whole table).
      `SELECT (r.i - 1)::int AS range, c.status, c.n
       FROM unnest($1::uuid[], $2::int[], $3::int[]) WITH ORDINALITY AS r(sweep_id, from_number, to_number, i)
       CROSS JOIN LATERAL (
         SELECT t.status, count(*)::int AS n FROM trials t
         WHERE t.sweep_id = r.sweep_id AND t.number >= r.from_number AND t.number < r.to_number GROUP BY t.status
       ) c`,
      [ranges.map((r) => r.sweepId), ranges.map((r) => r.from), ranges.map((r) => r.to ?? 2 ** 31 - 1)],
    );
  }

  /**
   * Each sweep's best trial for its objective's direction (lowest number on ties); sweeps without a result are left out.
   * Per sweep, the branch of its direction reads one index entry (bestValueOrder); the other branch is never run.
   */
  bestTrials(sweepIds: readonly string[]): Promise<{ sweepId: string; trialId: string; value: number; testMetrics: Record<string, number> | null }[]> {
    const best = (direction: Direction, when: string) =>
      `(SELECT t.id, t.best_metric, t.test_metrics FROM trials t
        WHERE t.sweep_id = s.id AND t.best_metric IS NOT NULL AND ${when} ORDER BY ${bestValueOrder(direction, 't')} LIMIT 1)`;
    const maximized = `s.spec->'objective'->>'direction' = 'maximize'`;
    return queryRows(
      this.manager,
      z.object({ sweepId: column.id, trialId: column.id, value: column.float, testMetrics: column.metrics.nullable() }),
      `SELECT s.id AS "sweepId", b.id AS "trialId", b.best_metric AS value, b.test_metrics AS "testMetrics"
       FROM sweeps s CROSS JOIN LATERAL (${best('maximize', maximized)} UNION ALL ${best('minimize', `NOT (${maximized})`)}) b
       WHERE s.id = ANY($1)`,
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
