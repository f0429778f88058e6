import type { EntityManager } from 'typeorm';
import { preparedQuery } from './prepared-query';

/** One stored value of a sweep's metric at an epoch: what a worker's rung index holds, with where it was read up to. */
export interface RungValueRow {
  /** The metric point's id (a bigint, as text): readers of new points go on from the largest they saw. */
  id: string;
  sweepId: string;
  metric: string;
  epoch: number;
  trialNumber: number;
  value: number;
}

/** A rung a reader starts to follow: every value stored so far at the epoch. */
export interface RungKey {
  sweepId: string;
  metric: string;
  epoch: number;
}

/** The newest metric point's id ('0' when none): points stored after it are read with `rungValuesSince`. */
export async function newestMetricPointId(manager: EntityManager): Promise<string> {
  const [row] = await preparedQuery<{ id: string }>(manager, 'tuneforge-newest-metric-point', `SELECT coalesce(max(id), 0)::text AS id FROM metric_points`, []);
  return row.id;
}

/** Every value stored at these rungs, whichever trial reported it. */
export function rungValuesAt(manager: EntityManager, rungs: readonly RungKey[]): Promise<RungValueRow[]> {
  if (rungs.length === 0) return Promise.resolve([]);
  return preparedQuery<RungValueRow>(
    manager,
    'tuneforge-rung-values-at',
    `SELECT mp.id::text AS id, mp.sweep_id AS "sweepId", mp.name AS metric, mp.epoch, t.number AS "trialNumber", mp.value
     FROM unnest($1::uuid[], $2::text[], $3::int[]) AS r(sweep_id, name, epoch)
     JOIN metric_points mp ON mp.sweep_id = r.sweep_id AND mp.name = r.name AND mp.epoch = r.epoch
     JOIN trials t ON t.id = mp.trial_id`,
    [rungs.map((r) => r.sweepId), rungs.map((r) => r.metric), rungs.map((r) => r.epoch)],
  );
}

/** What `rungValuesSince` read: the values of the asked metrics, and the last metric point id it read up to. */
export interface RungValuesRead {
  values: RungValueRow[];
  /** The next read starts after this id (the one given when nothing newer was stored). */
  readTo: string;
  /** False when the read stopped at a limit: more points were stored after `readTo`. */
  complete: boolean;
}

/**
 * The values of these sweeps' metrics stored after metric point `afterId`, at any epoch (the reader keeps the
 * rungs it follows), at most `limit` of each: each (sweep, metric) reads its own new points by
 * `ix_metric_points_sweep_name_id`, so a read costs what those sweeps stored since, whatever else the cluster
 * stores. A read that stopped at a limit ends at the smallest id where one did; values after it are read again.
 */
export async function rungValuesSince(
  manager: EntityManager,
  afterId: string,
  metrics: readonly { sweepId: string; metric: string }[],
  limit = 20_000,
): Promise<RungValuesRead> {
  if (metrics.length === 0) return { values: [], readTo: afterId, complete: true };
  const rows = await preparedQuery<RungValueRow & { full: boolean; lastOfMetric: string }>(
    manager,
    'tuneforge-rung-values-since',
    `SELECT p.id::text AS id, m.sweep_id AS "sweepId", m.name AS metric, p.epoch, t.number AS "trialNumber", p.value,
            count(*) OVER w = $4 AS full, (max(p.id) OVER w)::text AS "lastOfMetric"
     FROM unnest($2::uuid[], $3::text[]) AS m(sweep_id, name)
     CROSS JOIN LATERAL (
       SELECT mp.id, mp.trial_id, mp.epoch, mp.value FROM metric_points mp
       WHERE mp.sweep_id = m.sweep_id AND mp.name = m.name AND mp.id > $1::bigint
       ORDER BY mp.id LIMIT $4
     ) p
     JOIN trials t ON t.id = p.trial_id
     WINDOW w AS (PARTITION BY m.sweep_id, m.name)`,
    [afterId, metrics.map((m) => m.sweepId), metrics.map((m) => m.metric), limit],
  );
  const cut = rows.filter((r) => r.full).map((r) => BigInt(r.lastOfMetric));
  const readTo = cut.length > 0 ? cut.reduce((a, b) => (b < a ? b : a)) : rows.reduce((a, r) => (BigInt(r.id) > a ? BigInt(r.id) : a), BigInt(afterId));
  const values = rows
    .filter((r) => BigInt(r.id) <= readTo)
    .map(({ id, sweepId, metric, epoch, trialNumber, value }) => ({ id, sweepId, metric, epoch, trialNumber, value }));
  return { values, readTo: readTo.toString(), complete: cut.length === 0 };
}
