import { Injectable, Logger } from '@nestjs/common';
import { isActiveSweep, type DashboardEvent } from '@tuneforge/contracts';
import { readLiveChanges, readLiveTrials, Stores, type LiveSweep, type LiveTrial } from '@tuneforge/persistence';

type ChangeEvent = Exclude<DashboardEvent, { type: 'hello' | 'heartbeat' }>;

/**
 * How far behind its previous read each poll reads trials again. A trial's updated_at is its writing
 * transaction's start, so a change commits up to that transaction's duration (a lock wait included) after
 * the time it carries; one committing later than this is shown with the trial's next change.
 */
export const LATE_COMMIT_WINDOW_MS = 10_000;

const sweepKey = (s: LiveSweep) => `${s.status}|${s.trialsCreated}|${s.plannedTrials}`;
const trialKey = (t: LiveTrial) => `${t.status}|${t.lastEpoch}|${t.bestMetric}|${t.prunedRung}|${t.eventCount}`;

/**
 * Turns PostgreSQL's changes into dashboard events. Each poll is one statement: the active sweeps (few
 * rows, read whole, so a sweep is watched as soon as it is active whatever its timestamps), the watched
 * sweeps' trials changed since the previous poll (by updated_at, which every trial write sets), metric
 * points past the last seen id, and the live workers. A sweep's trials are read whole once, when it starts
 * to be watched. Rows read again inside LATE_COMMIT_WINDOW_MS are dropped by comparing the fields shown.
 */
@Injectable()
export class ChangeFeed {
  private readonly logger = new Logger(ChangeFeed.name);
  /** The watched (active) sweeps' shown fields. */
  private sweeps = new Map<string, string>();
  /** Per watched sweep, its trials' shown fields. */
  private trials = new Map<string, Map<string, string>>();
  private workers = '';
  private readAt: string | null = null;
  private lastMetricId: string | null = null;

  constructor(private readonly stores: Stores) {}

  /** The changes since the previous call; the first call only takes the baseline and returns nothing. */
  async poll(): Promise<ChangeEvent[]> {
    const baseline = this.readAt === null;
    const manager = this.stores.manager;
    const changes = await readLiveChanges(manager, {
      since: this.readAt,
      lookBackMs: LATE_COMMIT_WINDOW_MS,
      sweepIds: [...this.sweeps.keys()],
      afterMetricId: this.lastMetricId,
    });
    const events: ChangeEvent[] = [];
    const started: string[] = [];
    const ended: string[] = [];
    for (const s of changes.sweeps) {
      const key = sweepKey(s);
      if (this.sweeps.get(s.id) !== key) events.push({ type: 'sweep', sweepId: s.id, status: s.status, trialsCreated: s.trialsCreated, plannedTrials: s.plannedTrials });
      if (!isActiveSweep(s.status)) ended.push(s.id);
      else if (!this.sweeps.has(s.id)) started.push(s.id);
      this.sweeps.set(s.id, key);
    }
    // Trials of sweeps that just ended come once more, so their last transitions are not lost.
    for (const t of [...changes.trials, ...(await readLiveTrials(manager, started))]) {
      const key = trialKey(t);
      let known = this.trials.get(t.sweepId);
      if (!known) this.trials.set(t.sweepId, (known = new Map()));
      if (known.get(t.id) === key) continue;
      known.set(t.id, key);
      events.push({ type: 'trial', sweepId: t.sweepId, trialId: t.id, number: t.number, status: t.status, lastEpoch: t.lastEpoch, bestMetric: t.bestMetric, prunedRung: t.prunedRung });
    }
    for (const id of ended) {
      this.sweeps.delete(id);
      this.trials.delete(id);
    }
    // Identity ids are handed out at insert, not at commit, so a slow writer's lower ids can land
    // after this mark and go unreported; its trial's next epoch is reported, and clients re-read
    // whole curves on each event, so that costs one epoch of latency, not data.
    for (const m of changes.metrics) events.push({ type: 'metrics', sweepId: m.sweepId, trialId: m.trialId, epoch: m.epoch });
    const workersKey = changes.workers.map((w) => `${w.id}:${w.runningTrials}`).join(',');
    if (workersKey !== this.workers) {
      events.push({ type: 'workers', workerIds: changes.workers.map((w) => w.id), runningTrials: changes.workers.reduce((n, w) => n + w.runningTrials, 0) });
    }
    this.workers = workersKey;
    this.readAt = changes.readAt;
    this.lastMetricId = changes.lastMetricId;
    if (baseline) this.logger.debug(`baseline: ${this.sweeps.size} active sweeps, ${[...this.trials.values()].reduce((n, t) => n + t.size, 0)} trials`);
    return baseline ? [] : events;
  }

  /** Forget everything: the next poll takes a new baseline. */
  reset(): void {
    this.sweeps.clear();
    this.trials.clear();
    this.workers = '';
    this.readAt = null;
    this.lastMetricId = null;
  }
}
