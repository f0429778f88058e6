import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { SweepSpec, SweepStatus, TrialConfig, TrialEvent, TrialEventType, TrialStatus } from '@tuneforge/contracts';
import {
  checkpointsNewestFirst,
  DatasetEntity,
  lockedInIdOrder,
  preparedQuery,
  retryWhileDatabaseUnavailable,
  rungPeerSummaries,
  saveCheckpoint,
  SweepEntity,
  TrialEntity,
  type CheckpointEntity,
  type CheckpointToSave,
  type RungPeersQuery,
} from '@tuneforge/persistence';
import type { PeerSummary } from '@tuneforge/search';
import type { TrainingEngine } from '@tuneforge/training';
import { coalescingLoader } from './coalescing-loader';
import { COMPUTE_BACKEND } from './compute-backend';
import { MetricWriter } from './metric-writer.service';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config';

/** A trial as claimed for this attempt, with its sweep's spec. */
export interface ClaimedTrial {
  id: string;
  sweepId: string;
  number: number;
  config: TrialConfig;
  seed: number;
  /** Including this attempt; also the fencing token of this run: writes of an older attempt are refused. */
  attempts: number;
  spec: SweepSpec;
}

/** One run of a trial: the trial and the attempt (claim) it holds. */
export interface TrialAttempt {
  trialId: string;
  attempt: number;
}

export interface TrialEnding extends TrialAttempt {
  status: TrialStatus;
  reason: string;
  bestMetric: number | null;
  lastEpoch: number | null;
  prunedRung?: number | null;
}

/**
 * Whether a run may go on: `current` while the trial runs under its attempt; `superseded` once a later
 * claim took the trial over (another worker resumes it); `cancelled`; `ended` for any other end.
 */
export type AttemptState = 'current' | 'superseded' | 'cancelled' | 'ended';

/**
 * Batches of one kind that may run at once: two let PostgreSQL work on one while the next is being
 * gathered and sent (measured: 2 gave about 15% more trials/s than 1 in the bookkeeping benchmark).
 * Each uses a pooled connection, so the three kinds take at most 6 of the pool's 10.
 */
const STATEMENTS_IN_FLIGHT = 2;

/**
 * Everything a worker reads and writes in PostgreSQL about its trials. Every write is fenced by the
 * run's attempt (the trial's `attempts` at its claim), so two runners of one trial never both write,
 * and every statement waits out a PostgreSQL outage (retried until it answers) instead of failing the
 * job. The per-trial statements (claim, rung decisions, end) are batched across this worker's slots:
 * while one statement is in flight the next requests gather.
 */
@Injectable()
export class TrialLedger {
  private readonly logger = new Logger(TrialLedger.name);
  private readonly claims = coalescingLoader((keys: readonly { trialId: string; sweepId: string }[]) => this.untilAnswered('claim trials', () => this.claimAll(keys)), STATEMENTS_IN_FLIGHT);
  private readonly rungs = coalescingLoader(
    (queries: readonly RungPeersQuery[]) => this.untilAnswered('read rung peers', () => rungPeerSummaries(this.dataSource.manager, queries)),
    STATEMENTS_IN_FLIGHT,
  );
  private readonly endings = coalescingLoader((endings: readonly TrialEnding[]) => this.untilAnswered('record trial ends', () => this.endAll(endings)), STATEMENTS_IN_FLIGHT);

  constructor(
    private readonly dataSource: DataSource,
    private readonly metrics: MetricWriter,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(COMPUTE_BACKEND) private readonly backend: TrainingEngine,
  ) {}

  /**
   * Marks the trial running under a new attempt and returns it with its sweep's spec; undefined when
   * the trial is gone, has ended, or its sweep is not running or paused. A trial already `running`
   * is taken over: its earlier run is superseded and stops at its next write or check.
   */
  claim(trialId: string, sweepId: string): Promise<ClaimedTrial | undefined> {
    return this.claims.load({ trialId, sweepId });
  }

  /** What PostgreSQL holds about the other trials at a rung. */
  peersAtRung(query: RungPeersQuery): Promise<PeerSummary> {
    return this.rungs.load(query);
  }

  /**
   * Records how a trial ended, after its metrics are written. False when nothing changed: the trial
   * had already ended (say, cancelled) or a later attempt holds it.
   */
  end(ending: TrialEnding): Promise<boolean> {
    return this.endings.load(ending);
  }

  /** Writes the buffered metrics, then the checkpoint with the trial's progress; false when the run's attempt is no longer current. */
  async saveCheckpoint(checkpoint: CheckpointToSave): Promise<boolean> {
    await this.untilAnswered('write metrics', () => this.metrics.flush());
    return this.untilAnswered('save a checkpoint', () => saveCheckpoint(this.dataSource.manager, checkpoint));
  }

  async attemptState({ trialId, attempt }: TrialAttempt): Promise<AttemptState> {
    const [row] = await this.untilAnswered('check a trial', () =>
      preparedQuery<{ status: TrialStatus; attempts: number }>(this.dataSource.manager, 'tuneforge-attempt-state', `SELECT status, attempts FROM trials WHERE id = $1`, [trialId]),
    );
    if (!row || row.status === 'cancelled') return 'cancelled';
    if (row.attempts !== attempt) return 'superseded';
    return row.status === 'running' ? 'current' : 'ended';
  }

  /** Adds an event to the trial while this attempt holds it; false otherwise. */
  addEvent(run: TrialAttempt, type: TrialEventType, message: string): Promise<boolean> {
    return this.updateCurrent(run, `events = events || $3::jsonb`, [JSON.stringify([trialEvent(type, message)])], `record a '${type}' event`);
  }

  /** The run trains on another backend than the worker's (a model the native engine does not build). */
  recordBackend(run: TrialAttempt, backend: string): Promise<boolean> {
    return this.updateCurrent(run, `backend = $3`, [backend], 'record the backend');
  }

  /** The trial goes back to `queued` (its job is put back on the queue by the caller); false when this attempt no longer holds it. */
  handBack(run: TrialAttempt, message: string): Promise<boolean> {
    return this.updateCurrent(run, `status = 'queued', events = events || $3::jsonb`, [JSON.stringify([trialEvent('handed-back', message)])], 'hand the trial back');
  }

  /** The trial's and its sweep's status, for saying why a job's trial could not be claimed; undefined when either is gone. */
  async statusOf(trialId: string, sweepId: string): Promise<{ trial: TrialStatus; attempts: number; sweep: SweepStatus } | undefined> {
    const [trial, sweep] = await this.untilAnswered('read a trial', () =>
      Promise.all([
        this.dataSource.manager.findOne(TrialEntity, { where: { id: trialId }, select: ['id', 'sweepId', 'status', 'attempts'] }),
        this.dataSource.manager.findOne(SweepEntity, { where: { id: sweepId }, select: ['id', 'status'] }),
      ]),
    );
    if (!trial || !sweep || trial.sweepId !== sweepId) return undefined;
    return { trial: trial.status, attempts: trial.attempts, sweep: sweep.status };
  }

  /** The content of an uploaded dataset; undefined when it was deleted. */
  async uploadedCsv(datasetId: string): Promise<string | undefined> {
    const row = await this.untilAnswered('read a dataset', () => this.dataSource.manager.findOne(DatasetEntity, { where: { id: datasetId } }));
    return row?.content.toString('utf8');
  }

  checkpointsNewestFirst(trialId: string): Promise<CheckpointEntity[]> {
    return this.untilAnswered('read checkpoints', () => checkpointsNewestFirst(this.dataSource.manager, trialId));
  }

  private async updateCurrent({ trialId, attempt }: TrialAttempt, set: string, values: unknown[], what: string): Promise<boolean> {
    const [, affected] = await this.untilAnswered(what, () =>
      this.dataSource.query(`UPDATE trials SET ${set}, updated_at = now() WHERE id = $1 AND attempts = $2 AND status = 'running'`, [trialId, attempt, ...values]),
    );
    return Number(affected) > 0;
  }

  /** A statement that must not be lost: while PostgreSQL is unreachable it waits and tries again (the job's lock keeps renewing meanwhile). */
  private untilAnswered<T>(what: string, statement: () => Promise<T>): Promise<T> {
    return retryWhileDatabaseUnavailable(statement, {
      onRetry: (error, attempt) => {
        if (attempt === 1) this.logger.warn(`PostgreSQL is unreachable (${what}: ${(error as Error).message}); retrying until it answers`);
      },
    });
  }

  private async claimAll(keys: readonly { trialId: string; sweepId: string }[]): Promise<(ClaimedTrial | undefined)[]> {
    const rows = await preparedQuery<ClaimedTrial>(
      this.dataSource.manager,
      'tuneforge-claim-trials',
      `WITH wanted AS (SELECT * FROM unnest($1::uuid[], $2::uuid[]) AS w(trial_id, sweep_id)),
       locked AS (${lockedInIdOrder('SELECT t.id FROM trials t JOIN wanted w ON t.id = w.trial_id AND t.sweep_id = w.sweep_id', 't')}),
       claimed AS (
         UPDATE trials t SET status = 'running', attempts = t.attempts + 1, worker_id = $3::text,
                backend = CASE WHEN t.config->>'model' = 'simulated' THEN 'simulated' ELSE $4::text END,
                started_at = COALESCE(t.started_at, now()), updated_at = now(), status_reason = NULL,
                events = t.events
                  || CASE WHEN t.status = 'running' THEN jsonb_build_array(jsonb_build_object('at', now(), 'type', 'superseded', 'message',
                       'attempt ' || t.attempts || ' on worker ' || coalesce(t.worker_id, '?') || ' is superseded (its worker died or lost the job): a run of it still going stops at its next write')) ELSE '[]'::jsonb END
                  || jsonb_build_array(jsonb_build_object('at', now(), 'type', 'started', 'message',
                  'attempt ' || (t.attempts + 1) || ' on worker ' || $3::text || ' (' || CASE WHEN t.config->>'model' = 'simulated' THEN 'simulated' ELSE $4::text END || ')'))
         FROM locked l, sweeps s
         WHERE t.id = l.id AND s.id = t.sweep_id
           AND s.status IN ('running', 'paused') AND t.status IN ('queued', 'running')
         RETURNING t.id, t.sweep_id AS "sweepId", t.number, t.config, t.seed::float8 AS seed, t.attempts, s.spec
       )
       SELECT * FROM claimed`,
      [keys.map((k) => k.trialId), keys.map((k) => k.sweepId), this.config.id, this.backend.name],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return keys.map((k) => byId.get(k.trialId));
  }

  private async endAll(endings: readonly TrialEnding[]): Promise<boolean[]> {
    await this.metrics.flush();
    const rows = endings.map((e) => ({
      id: e.trialId,
      attempt: e.attempt,
      status: e.status,
      reason: e.reason,
      best: e.bestMetric,
      last_epoch: e.lastEpoch,
      pruned_rung: e.prunedRung ?? null,
      event: trialEvent(e.status as TrialEventType, e.reason),
    }));
    const ended = await preparedQuery<{ id: string }>(
      this.dataSource.manager,
      'tuneforge-end-trials',
      `WITH e AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(id uuid, attempt int, status text, reason text, best float8, last_epoch int, pruned_rung int, event jsonb)),
       locked AS (${lockedInIdOrder('SELECT t.id FROM trials t WHERE t.id = ANY($2::uuid[])', 't')})
       UPDATE trials t SET status = e.status::trial_status, status_reason = e.reason, finished_at = now(), updated_at = now(),
              best_metric = COALESCE(e.best, t.best_metric), last_epoch = COALESCE(e.last_epoch, t.last_epoch),
              pruned_rung = e.pruned_rung, events = t.events || jsonb_build_array(e.event)
       FROM e JOIN locked USING (id)
       -- The ids again as an array: the planner sizes that right and probes the primary key, where it guesses
       -- 100 rows for the JSON and may scan the whole table.
       WHERE t.id = e.id AND t.id = ANY($2::uuid[]) AND t.status IN ('queued', 'running') AND t.attempts = e.attempt
       RETURNING t.id`,
      [JSON.stringify(rows), rows.map((r) => r.id)],
    );
    const endedIds = new Set(ended.map((row) => row.id));
    return endings.map((e) => endedIds.has(e.trialId));
  }
}

export function trialEvent(type: TrialEventType, message: string): TrialEvent {
  return { at: new Date().toISOString(), type, message };
}
