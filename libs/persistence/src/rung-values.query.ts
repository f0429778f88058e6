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
  /** False when the read stopped at its limit: more points were stored after `readTo`. */
  complete: boolean;
}

/**
 * The values of these sweeps' metrics among the (at most `limit`) metric points stored after `afterId`, at any
 * epoch (the reader keeps the rungs it follows). The new points are read in id order by the primary key, so a
 * read costs what was stored since the last one, however many points the sweeps have; a reader that got
 * `limit` points reads again from `readTo`.
 */
export async function rungValuesSince(
  manager: EntityManager,
  afterId: string,
  metrics: readonly { sweepId: string; metric: string }[],
  limit = 20_000,
): Promise<RungValuesRead> {
  const rows = await preparedQuery<{ readTo: string | null; read: number } & { [K in keyof RungValueRow]: RungValueRow[K] | null }>(
    manager,
    'tuneforge-rung-values-since',
    `WITH fresh AS MATERIALIZED (
       SELECT id, sweep_id, trial_id, name, epoch, value FROM metric_points WHERE id > $1::bigint ORDER BY id LIMIT $4
     )
     SELECT (SELECT max(id) FROM fresh)::text AS "readTo", (SELECT count(*) FROM fresh)::int AS "read", v.*
     FROM (SELECT 1) one
     LEFT JOIN LATERAL (
       SELECT f.id::text AS id, f.sweep_id AS "sweepId", f.name AS metric, f.epoch, t.number AS "trialNumber", f.value
       FROM fresh f
       JOIN unnest($2::uuid[], $3::text[]) AS m(sweep_id, name) ON m.sweep_id = f.sweep_id AND m.name = f.name
       JOIN trials t ON t.id = f.trial_id
     ) v ON true`,
    [afterId, metrics.map((m) => m.sweepId), metrics.map((m) => m.metric), limit],
  );
  const readTo = rows[0]?.readTo ?? afterId;
  return {
    values: rows.filter((r): r is { readTo: string | null; read: number } & RungValueRow => r.id !== null),
    readTo,
    complete: (rows[0]?.read ?? 0) < limit,
  };
}
