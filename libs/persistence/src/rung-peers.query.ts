import type { EntityManager } from 'typeorm';
import type { Direction, PeerNumbers, PeerSummary } from '@tuneforge/search';

export interface RungPeersQuery {
  sweepId: string;
  /** The deciding trial: its own rows are not peers. */
  trialId: string;
  metric: string;
  epoch: number;
  value: number;
  direction: Direction;
  /** Which trial numbers count as peers (Hyperband brackets). */
  peers: PeerNumbers;
  /** ASHA / Hyperband: rank for the cutoff; undefined for the median rule. */
  reductionFactor?: number;
}

/**
 * The other trials' values at a rung, summarised by PostgreSQL, for many decisions in one statement:
 * one row comes back per decision however many trials reached the epoch (sending every value to each
 * deciding worker made rung decisions quadratic). Equal to `summarizePeers` over the same values.
 */
export async function rungPeerSummaries(manager: EntityManager, queries: readonly RungPeersQuery[]): Promise<PeerSummary[]> {
  if (queries.length === 0) return [];
  const decisions = queries.map((q, i) => ({
    i,
    sweep_id: q.sweepId,
    trial_id: q.trialId,
    metric: q.metric,
    epoch: q.epoch,
    value: q.value,
    sign: q.direction === 'minimize' ? 1 : -1,
    modulus: q.peers.modulus,
    first: q.peers.from,
    past: q.peers.to,
    eta: q.reductionFactor ?? null,
  }));
  const rows: { i: number; count: number; median: number | null; cutoff: number | null }[] = await manager.query(
    `SELECT d.i, s.count, s.median, s.cutoff
     FROM jsonb_to_recordset($1::jsonb) AS d(i int, sweep_id uuid, trial_id uuid, metric text, epoch int, value float8, sign int, modulus int, first int, past int, eta float8)
     CROSS JOIN LATERAL (
       WITH peers AS (
         SELECT mp.value FROM metric_points mp
         WHERE mp.sweep_id = d.sweep_id AND mp.name = d.metric AND mp.epoch = d.epoch AND mp.trial_id <> d.trial_id
           -- Only Hyperband needs trial numbers; the join is skipped when every trial is a peer.
           AND (d.modulus = 1 OR EXISTS (SELECT 1 FROM trials t WHERE t.id = mp.trial_id AND t.number % d.modulus >= d.first AND t.number % d.modulus < d.past))
       ), ranked AS (
         SELECT value, row_number() OVER (ORDER BY value * d.sign) AS rank, count(*) OVER () AS n
         FROM (SELECT value FROM peers UNION ALL SELECT d.value) everything
         WHERE d.eta IS NOT NULL
       )
       SELECT (SELECT count(*)::int FROM peers) AS count,
              (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY value) FROM peers) AS median,
              (SELECT value FROM ranked WHERE rank = greatest(1, floor(n / d.eta))) AS cutoff
     ) s`,
    [JSON.stringify(decisions)],
  );
  const byIndex = new Map(rows.map((row) => [row.i, row]));
  return queries.map((q, i) => {
    const row = byIndex.get(i)!;
    return { count: row.count, median: row.median, cutoff: row.cutoff ?? q.value };
  });
}
