import type { EntityManager } from 'typeorm';
import type { Direction } from '@tuneforge/contracts';
import { isPeerNumber, type PeerNumbers, type PeerSummary } from '@tuneforge/search';
import { preparedQuery } from './prepared-query';

export interface RungPeersQuery {
  sweepId: string;
  /** The deciding trial: its own rows are not peers. */
  trialId: string;
  trialNumber: number;
  metric: string;
  epoch: number;
  value: number;
  direction: Direction;
  /** Which trial numbers count as peers: the rule's `peerNumbersOf` (every trial unless it groups them, as Hyperband's brackets do). */
  peers: PeerNumbers;
  /** The rule's `reductionFactorOf`: the rank of the cutoff; undefined for a rule that needs no cutoff. */
  reductionFactor?: number;
}

/**
 * The other trials' values at a rung, summarised by PostgreSQL, for many decisions in one statement:
 * one row comes back per decision however many trials reached the epoch (sending every value to each
 * deciding worker made rung decisions quadratic). Each rung the batch asks about is read and sorted
 * once, however many of its decisions share it; a decision then drops its own trial from the sorted
 * values and reads the median and the cutoff by position. Equal to `summarizePeers` over the same values.
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
    // Whether the rung's values include the trial's own (once written): Hyperband reads only its bracket's trials.
    own_is_peer: isPeerNumber(q.peers, q.trialNumber),
  }));
  const rows = await preparedQuery<{ i: number; count: number; median: number | null; cutoff: number | null }>(
    manager,
    'tuneforge-rung-peer-summaries',
    `WITH decisions AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb)
         AS d(i int, sweep_id uuid, trial_id uuid, metric text, epoch int, value float8, sign int, modulus int, first int, past int, eta float8, own_is_peer boolean)
     ), rungs AS MATERIALIZED (
       SELECT g.*, r.vals
       FROM (SELECT DISTINCT sweep_id, metric, epoch, modulus, first, past FROM decisions) g
       CROSS JOIN LATERAL (
         SELECT coalesce(array_agg(o.value), '{}') AS vals
         FROM (
           SELECT mp.value FROM metric_points mp
           WHERE mp.sweep_id = g.sweep_id AND mp.name = g.metric AND mp.epoch = g.epoch
             -- Only Hyperband needs trial numbers; the join is skipped when every trial is a peer.
             AND (g.modulus = 1 OR EXISTS (SELECT 1 FROM trials t WHERE t.id = mp.trial_id AND t.number % g.modulus >= g.first AND t.number % g.modulus < g.past))
           ORDER BY mp.value
         ) o
       ) r
     ), peers AS (
       -- The peers are the rung's sorted values without the deciding trial's own stored one, which sits at position
       -- own when it has been written (and is among the peers' numbers), else own is one past the end.
       -- Among equal values any position will do, so a binary search by value finds it: the k-th peer is
       -- vals[k + (k >= own)], read in place rather than copied per decision.
       SELECT d.i, d.value, d.sign, d.eta, r.vals,
              CASE WHEN stored.value IS NULL THEN cardinality(r.vals) + 1 ELSE width_bucket(stored.value, r.vals) END AS own,
              cardinality(r.vals) - (stored.value IS NOT NULL)::int AS n
       FROM decisions d
       JOIN rungs r USING (sweep_id, metric, epoch, modulus, first, past)
       LEFT JOIN metric_points stored ON d.own_is_peer AND stored.trial_id = d.trial_id AND stored.name = d.metric AND stored.epoch = d.epoch
     ), positions AS (
       -- The median's two middle peers (the same one when n is odd), the cutoff's rank among the peers and the trial's
       -- value, smallest first, and how many peers are <= that value.
       SELECT *, (n + 1) / 2 AS lo, n / 2 + 1 AS hi,
              CASE WHEN sign = 1 THEN greatest(1, floor((n + 1) / eta))::int ELSE n + 2 - greatest(1, floor((n + 1) / eta))::int END AS at,
              CASE WHEN cardinality(vals) = 0 THEN 0 ELSE width_bucket(value, vals) END - (own <= cardinality(vals) AND vals[own] <= value)::int AS below
       FROM peers
     )
     SELECT i, n AS count,
            CASE WHEN n = 0 THEN NULL
                 WHEN lo = hi THEN vals[lo + (lo >= own)::int]
                 ELSE (vals[lo + (lo >= own)::int] + vals[hi + (hi >= own)::int]) / 2 END AS median,
            CASE WHEN eta IS NULL THEN NULL
                 WHEN at <= below THEN vals[at + (at >= own)::int]
                 WHEN at = below + 1 THEN value
                 ELSE vals[at - 1 + (at - 1 >= own)::int] END AS cutoff
     FROM positions`,
    [JSON.stringify(decisions)],
  );
  const byIndex = new Map(rows.map((row) => [row.i, row]));
  return queries.map((q, i) => {
    const row = byIndex.get(i);
    if (!row) throw new Error(`no rung summary came back for decision ${i}`);
    return { count: row.count, median: row.median, cutoff: row.cutoff ?? q.value };
  });
}
