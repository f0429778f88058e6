import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DashboardEvent, SweepStatus, TrialStatus } from '@tuneforge/contracts';
import { LIVE_WORKER_WINDOW_MS } from '../workers/live-workers';

type ChangeEvent = Exclude<DashboardEvent, { type: 'hello' | 'heartbeat' }>;

interface SweepRow {
  id: string;
  status: SweepStatus;
  trials_created: number;
  planned_trials: number;
}

interface TrialRow {
  id: string;
  sweep_id: string;
  number: number;
  status: TrialStatus;
  last_epoch: number | null;
  best_metric: number | null;
  pruned_rung: number | null;
  n_events: number;
}

/**
 * Turns PostgreSQL's state into change events by comparing snapshots. Workers write trials with
 * plain UPDATEs (updated_at is not touched) and metric points with upserts, so neither a timestamp
 * nor a trigger-free LISTEN/NOTIFY would see every change; a snapshot of the sweeps that are (or
 * just were) active, plus metric points past the last seen id, does, with a few indexed queries
 * per tick and no writer having to know about the dashboard.
 */
@Injectable()
export class ChangeFeed {
  private readonly logger = new Logger(ChangeFeed.name);
  private sweeps = new Map<string, string>();
  private trials = new Map<string, string>();
  private workers = '';
  private lastMetricId: string | null = null;

  constructor(private readonly dataSource: DataSource) {}

  /** The changes since the previous call; the first call only takes the baseline and returns nothing. */
  async poll(): Promise<ChangeEvent[]> {
    const baseline = this.lastMetricId === null;
    const events: ChangeEvent[] = [];
    const previousActive = [...this.sweeps.keys()];
    const sweeps: SweepRow[] = await this.dataSource.query(
      `SELECT id, status, trials_created, planned_trials FROM sweeps WHERE status IN ('running', 'paused') OR id = ANY($1::uuid[])`,
      [previousActive],
    );
    const nextSweeps = new Map<string, string>();
    for (const s of sweeps) {
      const key = `${s.status}|${s.trials_created}|${s.planned_trials}`;
      if (s.status === 'running' || s.status === 'paused') nextSweeps.set(s.id, key);
      if (this.sweeps.get(s.id) !== key) events.push({ type: 'sweep', sweepId: s.id, status: s.status, trialsCreated: s.trials_created, plannedTrials: s.planned_trials });
    }
    // Trials of sweeps that just ended are read once more, so their last transitions are not lost.
    const trials: TrialRow[] = await this.dataSource.query(
      `SELECT id, sweep_id, number, status, last_epoch, best_metric, pruned_rung, jsonb_array_length(events) AS n_events
       FROM trials WHERE sweep_id = ANY($1::uuid[])`,
      [sweeps.map((s) => s.id)],
    );
    const nextTrials = new Map<string, string>();
    for (const t of trials) {
      const key = `${t.status}|${t.last_epoch}|${t.best_metric}|${t.pruned_rung}|${t.n_events}`;
      if (nextSweeps.has(t.sweep_id)) nextTrials.set(t.id, key);
      if (this.trials.get(t.id) !== key) {
        events.push({ type: 'trial', sweepId: t.sweep_id, trialId: t.id, number: t.number, status: t.status, lastEpoch: t.last_epoch, bestMetric: t.best_metric, prunedRung: t.pruned_rung });
      }
    }
    // Identity ids are handed out at insert, not at commit, so a slow writer's lower ids can land
    // after this mark and go unreported; its trial's next epoch is reported, and clients re-read
    // whole curves on each event, so that costs one epoch of latency, not data.
    let lastMetricId = this.lastMetricId ?? (await this.maxMetricId());
    const metricRows: { trial_id: string; sweep_id: string; epoch: number; max_id: string }[] = baseline
      ? []
      : await this.dataSource.query(
          `SELECT trial_id, sweep_id, max(epoch) AS epoch, max(id)::text AS max_id FROM metric_points
           WHERE id > $1::bigint GROUP BY trial_id, sweep_id`,
          [lastMetricId],
        );
    for (const m of metricRows) {
      if (BigInt(m.max_id) > BigInt(lastMetricId)) lastMetricId = m.max_id;
      events.push({ type: 'metrics', sweepId: m.sweep_id, trialId: m.trial_id, epoch: m.epoch });
    }
    const workers: { id: string; running: number }[] = await this.dataSource.query(
      `SELECT id, jsonb_array_length(running_trial_ids) AS running FROM workers
       WHERE stopped_at IS NULL AND last_heartbeat_at > now() - make_interval(secs => $1) ORDER BY id`,
      [LIVE_WORKER_WINDOW_MS / 1000],
    );
    const workersKey = workers.map((w) => `${w.id}:${w.running}`).join(',');
    if (workersKey !== this.workers) {
      events.push({ type: 'workers', workerIds: workers.map((w) => w.id), runningTrials: workers.reduce((n, w) => n + Number(w.running), 0) });
    }
    this.sweeps = nextSweeps;
    this.trials = nextTrials;
    this.workers = workersKey;
    this.lastMetricId = lastMetricId;
    if (baseline) this.logger.debug(`baseline: ${nextSweeps.size} active sweeps, ${nextTrials.size} trials`);
    return baseline ? [] : events;
  }

  /** Forget everything: the next poll takes a new baseline. */
  reset(): void {
    this.sweeps.clear();
    this.trials.clear();
    this.workers = '';
    this.lastMetricId = null;
  }

  private async maxMetricId(): Promise<string> {
    const [row] = await this.dataSource.query(`SELECT COALESCE(max(id), 0)::text AS id FROM metric_points`);
    return row.id;
  }
}
