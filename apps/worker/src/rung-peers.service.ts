import { Inject, Injectable } from '@nestjs/common';
import type { Direction } from '@tuneforge/contracts';
import type { RungKey, RungValueRow } from '@tuneforge/persistence';
import { RungValues, type PeerNumbers, type PeerSummary } from '@tuneforge/search';
import { nextRun } from '@tuneforge/contracts';
import { TrialLedger } from './trial-ledger.service';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config';
import { WorkerMetrics } from './worker-metrics.service';

export interface RungQuestion {
  sweepId: string;
  metric: string;
  epoch: number;
  /** The deciding trial: its own value is not a peer's. */
  trialNumber: number;
  value: number;
  direction: Direction;
  /** The rule's `peerNumbersOf`: every trial unless it groups them (Hyperband's brackets). */
  peers: PeerNumbers;
  /** The rule's `reductionFactorOf`; undefined for a rule that needs no cutoff. */
  reductionFactor?: number;
}

interface FollowedRung {
  values: RungValues;
  usedAt: number;
  /** Whether the values stored before the worker followed the rung have been read. */
  loaded: boolean;
}

interface FollowedMetric {
  sweepId: string;
  metric: string;
  rungs: Map<number, FollowedRung>;
}

/** A rung no decision asked about for this long is no longer followed (its sweep has ended, say). */
const UNUSED_MS = 10 * 60_000;

/**
 * The other trials' values at the rungs this worker decides at, kept in memory and sorted, so a rung decision
 * costs no statement of its own. A rung is read whole from PostgreSQL the first time it is asked about; from
 * then on one statement per sync reads the metric points its sweeps stored since the last sync (by id),
 * at most every `metricsFlushMs` (peers' values are stored no more often than that anyway) and before any
 * decision that finds the last sync older. Each read starts where the read before the last one ended (reads
 * overlap by one sync's points), so a point whose insert committed after a higher-numbered one is still read.
 * This worker's own decisions count for its next ones at once. A value read twice, or rewritten by a resumed attempt, replaces its trial's.
 * Rungs unused for 10 minutes, and the least recently used ones past `WORKER_RUNG_VALUES_KEPT` values, are dropped.
 */
@Injectable()
export class RungPeers {
  private readonly followed = new Map<string, FollowedMetric>();
  /** Rungs first asked about since the last sync: the next one reads them whole. */
  private readonly toLoad = new Map<FollowedRung, RungKey>();
  /** Where the next read of new points starts, and where the last one ended; unset until the first sync. */
  private readFrom?: string;
  private readTo?: string;
  private syncedAt = Number.NEGATIVE_INFINITY;
  /** The sync after the one in flight, shared by every decision that waits for it. */
  private readonly sync = nextRun(() => this.read());

  constructor(
    private readonly ledger: TrialLedger,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly workerMetrics: WorkerMetrics,
  ) {}

  /** How many values the followed rungs hold. */
  get keptValues(): number {
    let kept = 0;
    for (const followed of this.followed.values()) for (const rung of followed.rungs.values()) kept += rung.values.size;
    return kept;
  }

  /** What the other trials reported at the rung, summarised for the rule; the trial's own value then joins the rung. */
  async summary(q: RungQuestion): Promise<PeerSummary> {
    const rung = this.rungOf(q.sweepId, q.metric, q.epoch);
    // A sync that starts after this question (the one in flight may have read the rung's points before they were stored).
    if (!rung.loaded || Date.now() - this.syncedAt >= this.config.metricsFlushMs) await this.sync();
    while (!rung.loaded) await this.sync();
    const summary = rung.values.summary(q.trialNumber, q.value, q.peers, q.direction, q.reductionFactor);
    rung.values.set(q.trialNumber, q.value);
    return summary;
  }

  private rungOf(sweepId: string, metric: string, epoch: number): FollowedRung {
    const key = `${sweepId}/${metric}`;
    let followed = this.followed.get(key);
    if (!followed) this.followed.set(key, (followed = { sweepId, metric, rungs: new Map() }));
    let rung = followed.rungs.get(epoch);
    if (!rung) {
      followed.rungs.set(epoch, (rung = { values: new RungValues(), usedAt: 0, loaded: false }));
      this.toLoad.set(rung, { sweepId, metric, epoch });
    }
    rung.usedAt = Date.now();
    return rung;
  }

  private async read(): Promise<void> {
    const startedAt = Date.now();
    this.forget(startedAt);
    const loads = [...this.toLoad];
    this.toLoad.clear();
    try {
      if (this.readFrom === undefined) this.readFrom = this.readTo = await this.ledger.newestMetricPointId();
      const metrics = [...this.followed.values()].map(({ sweepId, metric }) => ({ sweepId, metric }));
      const fresh = await this.ledger.rungValuesSince(this.readFrom, metrics);
      const stored = await this.ledger.rungValuesAt(loads.map(([, key]) => key));
      for (const row of [...fresh.values, ...stored]) this.apply(row);
      for (const [rung] of loads) rung.loaded = true;
      this.workerMetrics.rungValues.set(this.keptValues);
      if (fresh.complete) {
        // A read that found nothing new of its sweeps gives back its start: the end never moves back.
        const readTo = this.readTo as string;
        this.readFrom = readTo;
        this.readTo = BigInt(fresh.readTo) > BigInt(readTo) ? fresh.readTo : readTo;
        this.syncedAt = startedAt;
      } else {
        // Cut short by its limit (a worker catching up): the next decision reads on from where this one stopped.
        this.readFrom = this.readTo = fresh.readTo;
        this.syncedAt = Number.NEGATIVE_INFINITY;
      }
    } catch (error) {
      for (const [rung, key] of loads) this.toLoad.set(rung, key);
      throw error;
    }
  }

  private apply(row: RungValueRow): void {
    this.followed.get(`${row.sweepId}/${row.metric}`)?.rungs.get(row.epoch)?.values.set(row.trialNumber, row.value);
  }

  /**
   * Stops following rungs unused for UNUSED_MS, then the least recently used while more than `rungValuesKept`
   * values are kept; never the newest one, nor one a decision waits to have read.
   */
  private forget(now: number): void {
    const rungs = [...this.followed.values()].flatMap((followed) => [...followed.rungs].map(([epoch, rung]) => ({ followed, epoch, rung })));
    let kept = rungs.reduce((sum, { rung }) => sum + rung.values.size, 0);
    const oldestFirst = rungs.sort((a, b) => a.rung.usedAt - b.rung.usedAt).slice(0, -1);
    for (const { followed, epoch, rung } of oldestFirst) {
      if (now - rung.usedAt < UNUSED_MS && kept <= this.config.rungValuesKept) break;
      if (!rung.loaded) continue;
      kept -= rung.values.size;
      followed.rungs.delete(epoch);
      this.toLoad.delete(rung);
      if (followed.rungs.size === 0) this.followed.delete(`${followed.sweepId}/${followed.metric}`);
    }
  }
}
