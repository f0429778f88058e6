import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import type { Preprocessing } from '@tuneforge/formats';
import {
  ACTIVE_SWEEP_STATUSES,
  ACTIVE_TRIAL_STATUSES,
  SCORED_TRIAL_STATUSES,
  trialStatusesThatMayBecome,
  type ConfusionMatrix,
  type Direction,
  type FinishedTrialStatus,
  type SweepSpec,
  type SweepOutcomeCounts,
  type SweepStatus,
  type TrialConfig,
  type TrialEventType,
  type TrialStatus,
} from '@tuneforge/contracts';
import { TrialEntity } from '../entities';
import { preparedQuery } from '../prepared-query';
import { bestValueOrder } from '../read-models/best-first';
import { lockedInIdOrder } from '../row-locks';
import { column, queryRow, queryRows, rowsChanged } from '../rows';
import { appendEvent, eventObject, eventType } from './trial-events';
import { heldByLiveWorker } from './worker.store';

/** A trial as a queue job names it. */
export interface TrialRef {
  id: string;
  sweepId: string;
}

/** A trial to insert: the plan's next number, its seed and resolved config. */
export interface NewTrial {
  number: number;
  seed: number;
  config: TrialConfig;
}

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
  status: FinishedTrialStatus;
  reason: string;
  bestMetric: number | null;
  lastEpoch: number | null;
  prunedRung?: number | null;
  /** The checkpoint of the run's best epoch when no checkpoint has stored it yet (a best since the last one): stored with the end. */
  best?: { epoch: number; format: string; bytes: Buffer };
  /** The best epoch's scores on the test split (a completed or pruned trial). */
  testMetrics?: Record<string, number> | null;
  /** A classifier's confusion matrix on the test split. */
  testConfusion?: ConfusionMatrix | null;
  /** How the model's inputs were made from raw data: what its exported model carries. */
  preprocessing?: Preprocessing | null;
}

/**
 * Whether a run may go on: `current` while the trial runs under its attempt; `superseded` once a later
 * claim took the trial over (another worker resumes it); `cancelled`; `ended` for any other end.
 */
export type AttemptState = 'current' | 'superseded' | 'cancelled' | 'ended';

/** An active trial as the reconciler saw it; its repair applies only while the trial is still so. */
export interface SeenTrial {
  id: string;
  sweepId: string;
  status: 'queued' | 'running';
  attempts: number;
}

/** A trial as a sampler learns from it: what it tried. */
export interface HistoryTrialRow {
  sweepId: string;
  number: number;
  config: TrialConfig;
}

/** What a sampler's history window (`@tuneforge/search` HistoryWindow) names of a sweep: results with their value, then the trials in flight, each oldest first. */
export interface SearchHistoryRows {
  results: (HistoryTrialRow & { bestMetric: number })[];
  pending: HistoryTrialRow[];
}

/** The sweep to learn from and the one it warm-starts from (whose trials all count as older). */
export interface HistorySweeps {
  sweepId: string;
  warmStartFrom?: string;
}

const TRIALS_PER_INSERT = 1_000;

/** A result as searchHistory reads it; `age` orders sweeps: a warm start's (0) before the sweep's own (1). */
interface HistoryRow {
  id: string;
  sweepId: string;
  number: number;
  age: number;
  config: TrialConfig;
  bestMetric: number;
}

const TrialRefRow = z.object({ id: column.id, sweepId: column.id });
const SeenTrialRow = z.object({ id: column.id, sweepId: column.id, status: z.enum(['queued', 'running']), attempts: column.int });
const CountRow = z.object({ n: column.int });

/**
 * Every statement that writes a trial, and the reads that decide those writes. Each status change is
 * allowed only from the statuses `@tuneforge/contracts` lifecycle permits (`trialStatusesThatMayBecome`),
 * sets `updated_at`, and appends its event (trial-events.ts). Writes of a run are fenced by its attempt.
 */
export class TrialStore {
  constructor(private readonly manager: EntityManager) {}

  /** Inserts a sweep's next trials (in the caller's transaction, with the sweep row locked). */
  async insertMany(sweepId: string, trials: readonly NewTrial[]): Promise<TrialRef[]> {
    const created: TrialRef[] = [];
    for (let start = 0; start < trials.length; start += TRIALS_PER_INSERT) {
      created.push(
        ...(await queryRows(
          this.manager,
          TrialRefRow,
          `INSERT INTO trials (sweep_id, number, seed, config)
           SELECT $1, r.number, r.seed, r.config FROM jsonb_to_recordset($2::jsonb) AS r(number int, seed bigint, config jsonb)
           RETURNING id, sweep_id AS "sweepId"`,
          [sweepId, JSON.stringify(trials.slice(start, start + TRIALS_PER_INSERT))],
        )),
      );
    }
    return created;
  }

  /**
   * A sampler's window onto its sweep's history, read once per top-up: the `best` best results (for
   * `direction`, ties oldest first), the `newest` newest, and the `pending` newest trials in flight.
   * Results are finished scored trials with a best value; a warm start's trials are older than the
   * sweep's own. Each read walks an index from one end (ix_trials_sweep_best_metric_number,
   * uq_trials_sweep_number), so its cost does not grow with the sweep.
   */
  async searchHistory({ sweepId, warmStartFrom }: HistorySweeps, window: { best: number; newest: number; pending: number }, direction: Direction): Promise<SearchHistoryRows> {
    const sweeps = warmStartFrom ? [warmStartFrom, sweepId] : [sweepId];
    const read = async (name: string, order: string, id: string, age: number, limit: number): Promise<HistoryRow[]> => {
      const rows = await preparedQuery<Omit<HistoryRow, 'age'>>(
        this.manager,
        `tuneforge-history-${name}`,
        `SELECT id, sweep_id AS "sweepId", number, config, best_metric AS "bestMetric" FROM trials
         WHERE sweep_id = $1 AND status = ANY($2::trial_status[]) AND best_metric IS NOT NULL ORDER BY ${order} LIMIT $3`,
        [id, SCORED_TRIAL_STATUSES, limit],
      );
      return rows.map((row) => ({ ...row, age }));
    };
    const newest: HistoryRow[] = [];
    for (let age = sweeps.length - 1; age >= 0 && newest.length < window.newest; age--) newest.push(...(await read('newest', 'number DESC', sweeps[age], age, window.newest - newest.length)));
    const best: HistoryRow[] = [];
    for (const [age, id] of sweeps.entries()) best.push(...(await read(`best-${direction}`, bestValueOrder(direction), id, age, window.best)));
    const pending = await preparedQuery<HistoryTrialRow>(
      this.manager,
      'tuneforge-history-pending',
      `SELECT sweep_id AS "sweepId", number, config FROM trials WHERE sweep_id = $1 AND status = ANY($2::trial_status[]) ORDER BY number DESC LIMIT $3`,
      [sweepId, ACTIVE_TRIAL_STATUSES, window.pending],
    );
    const results = [...new Map([...newest, ...best].map((row) => [row.id, row])).values()].sort((a, b) => a.age - b.age || a.number - b.number);
    return { results: results.map(({ sweepId, number, config, bestMetric }) => ({ sweepId, number, config, bestMetric })), pending: pending.reverse() };
  }

  /** Active trials of one sweep, or of the whole deployment. */
  async countActive(sweepId?: string): Promise<number> {
    const { n } = await queryRow(
      this.manager,
      CountRow,
      `SELECT count(*)::int AS n FROM trials WHERE status = ANY($1::trial_status[]) AND ($2::uuid IS NULL OR sweep_id = $2)`,
      [ACTIVE_TRIAL_STATUSES, sweepId ?? null],
    );
    return n;
  }

  /** How a sweep's trials ended, for how the sweep ends (`sweepEndOf`): read once, when the last of them has. */
  async outcomeCounts(sweepId: string): Promise<SweepOutcomeCounts> {
    const first = (column: string) => `(SELECT f.${column} FROM trials f WHERE f.sweep_id = $1 AND f.status = 'failed' ORDER BY f.number LIMIT 1)`;
    const row = await queryRow(
      this.manager,
      z.object({ scored: column.int, failed: column.int, firstNumber: column.int.nullable(), firstReason: column.text.nullable() }),
      `SELECT count(*) FILTER (WHERE t.status = ANY($2::trial_status[]))::int AS scored, count(*) FILTER (WHERE t.status = 'failed')::int AS failed,
              ${first('number')} AS "firstNumber", ${first('status_reason')} AS "firstReason"
       FROM trials t WHERE t.sweep_id = $1`,
      [sweepId, SCORED_TRIAL_STATUSES],
    );
    return { scored: row.scored, failed: row.failed, firstFailure: row.firstNumber === null ? null : { number: row.firstNumber, reason: row.firstReason } };
  }

  async sweepIdOf(trialId: string): Promise<string | undefined> {
    const [row] = await queryRows(this.manager, z.object({ sweepId: column.id }), `SELECT sweep_id AS "sweepId" FROM trials WHERE id = $1`, [trialId]);
    return row?.sweepId;
  }

  // ---- the queue's view: enqueued or not ----

  /** Records that these trials have a job (a trial already marked keeps its time). */
  async markEnqueued(trialIds: readonly string[]): Promise<void> {
    await this.manager.query(
      `UPDATE trials SET enqueued_at = now() WHERE id IN (${lockedInIdOrder('SELECT t.id FROM trials t WHERE t.id = ANY($1) AND t.enqueued_at IS NULL', 't')})`,
      [trialIds],
    );
  }

  /** The trial's job was taken off the queue (a paused sweep): it is enqueued again on resume. */
  async markNotEnqueued(trialId: string): Promise<void> {
    await this.manager.query(`UPDATE trials SET enqueued_at = NULL WHERE id = $1`, [trialId]);
  }

  /** Queued trials of running sweeps whose job was never added (coordinator stopped, Redis down, sweep paused). */
  awaitingJob(limit: number): Promise<TrialRef[]> {
    return queryRows(
      this.manager,
      TrialRefRow,
      `SELECT t.id, t.sweep_id AS "sweepId" FROM trials t JOIN sweeps s ON s.id = t.sweep_id
       WHERE t.status = 'queued' AND t.enqueued_at IS NULL AND s.status = 'running' ORDER BY t.created_at LIMIT $1`,
      [limit],
    );
  }

  // ---- a worker's run ----

  /**
   * Marks each trial running under a new attempt and returns it with its sweep's spec (undefined for a
   * trial that is gone, has ended, or whose sweep is not running or paused). A trial already `running`
   * is taken over: its earlier run is recorded as superseded and stops at its next write or check.
   */
  async claim(keys: readonly TrialRef[], workerId: string, backend: string): Promise<(ClaimedTrial | undefined)[]> {
    const trainsOn = `CASE WHEN t.config->>'model' = 'simulated' THEN 'simulated' ELSE $4::text END`;
    const rows = await preparedQuery<ClaimedTrial>(
      this.manager,
      'tuneforge-claim-trials',
      `WITH wanted AS (SELECT * FROM unnest($1::uuid[], $2::uuid[]) AS w(trial_id, sweep_id)),
       locked AS (${lockedInIdOrder('SELECT t.id FROM trials t JOIN wanted w ON t.id = w.trial_id AND t.sweep_id = w.sweep_id', 't')}),
       claimed AS (
         UPDATE trials t SET status = 'running', attempts = t.attempts + 1, worker_id = $3::text, backend = ${trainsOn},
                started_at = COALESCE(t.started_at, now()), updated_at = now(), status_reason = NULL,
                events = t.events
                  || CASE WHEN t.status = 'running' THEN jsonb_build_array(${eventObject(
                    eventType('superseded'),
                    `'attempt ' || t.attempts || ' on worker ' || coalesce(t.worker_id, '?') || ' is superseded (its worker died or lost the job): a run of it still going stops at its next write'`,
                  )}) ELSE '[]'::jsonb END
                  || jsonb_build_array(${eventObject(eventType('started'), `'attempt ' || (t.attempts + 1) || ' on worker ' || $3::text || ' (' || ${trainsOn} || ')'`)})
         FROM locked l, sweeps s
         WHERE t.id = l.id AND s.id = t.sweep_id
           AND s.status = ANY($5::sweep_status[]) AND t.status = ANY($6::trial_status[])
         RETURNING t.id, t.sweep_id AS "sweepId", t.number, t.config, t.seed::float8 AS seed, t.attempts, s.spec
       )
       SELECT * FROM claimed`,
      [keys.map((k) => k.id), keys.map((k) => k.sweepId), workerId, backend, ACTIVE_SWEEP_STATUSES, trialStatusesThatMayBecome('running')],
    );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return keys.map((k) => byId.get(k.id));
  }

  /** Records how each run ended, with the ending as its event; false for a trial that had already ended or that a later attempt holds. */
  async end(endings: readonly TrialEnding[]): Promise<boolean[]> {
    const rows = endings.map((e) => ({
      id: e.trialId,
      attempt: e.attempt,
      status: e.status,
      reason: e.reason,
      best: e.bestMetric,
      last_epoch: e.lastEpoch,
      pruned_rung: e.prunedRung ?? null,
      best_epoch: e.best?.epoch ?? null,
      best_format: e.best?.format ?? null,
      best_bytes: e.best?.bytes.toString('base64') ?? null,
      test_metrics: e.testMetrics ?? null,
      test_confusion: e.testConfusion ?? null,
      preprocessing: e.preprocessing ?? null,
    }));
    const ended = await preparedQuery<{ id: string }>(
      this.manager,
      'tuneforge-end-trials',
      `WITH e AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS e(id uuid, attempt int, status text, reason text, best float8, last_epoch int, pruned_rung int, best_epoch int, best_format text, best_bytes text, test_metrics jsonb, test_confusion jsonb, preprocessing jsonb)
       ),
       locked AS (${lockedInIdOrder('SELECT t.id FROM trials t WHERE t.id = ANY($2::uuid[])', 't')}),
       ended AS (
         UPDATE trials t SET status = e.status::trial_status, status_reason = e.reason, finished_at = now(), updated_at = now(),
                best_metric = COALESCE(e.best, t.best_metric), last_epoch = COALESCE(e.last_epoch, t.last_epoch),
                best_epoch = COALESCE(e.best_epoch, t.best_epoch), pruned_rung = e.pruned_rung,
                test_metrics = e.test_metrics, test_confusion = e.test_confusion, preprocessing = e.preprocessing, ${appendEvent('e.status', 'e.reason', 't')}
         FROM e JOIN locked USING (id)
         -- The ids again as an array: the planner sizes that right and probes the primary key, where it guesses
         -- 100 rows for the JSON and may scan the whole table.
         WHERE t.id = e.id AND t.id = ANY($2::uuid[]) AND t.status = ANY($3::trial_status[]) AND t.attempts = e.attempt
         RETURNING t.id
       ),
       -- A best the run scored since its last checkpoint is stored with its end, in this one statement (no extra one per trial).
       best_saved AS (
         INSERT INTO checkpoints (trial_id, epoch, format, bytes, size_bytes)
         SELECT e.id, e.best_epoch, e.best_format, decode(e.best_bytes, 'base64'), length(decode(e.best_bytes, 'base64'))
         FROM e JOIN ended USING (id) WHERE e.best_bytes IS NOT NULL
         ON CONFLICT (trial_id, epoch) DO UPDATE SET format = EXCLUDED.format, bytes = EXCLUDED.bytes, size_bytes = EXCLUDED.size_bytes, created_at = now()
       )
       SELECT id FROM ended`,
      // Every finished status is reachable from the same statuses (the active ones), so one list serves each row.
      [JSON.stringify(rows), rows.map((r) => r.id), trialStatusesThatMayBecome('completed')],
    );
    const endedIds = new Set(ended.map((row) => row.id));
    return endings.map((e) => endedIds.has(e.trialId));
  }

  async attemptState({ trialId, attempt }: TrialAttempt): Promise<AttemptState> {
    const [row] = await preparedQuery<{ status: TrialStatus; attempts: number }>(this.manager, 'tuneforge-attempt-state', `SELECT status, attempts FROM trials WHERE id = $1`, [trialId]);
    if (!row || row.status === 'cancelled') return 'cancelled';
    if (row.attempts !== attempt) return 'superseded';
    return row.status === 'running' ? 'current' : 'ended';
  }

  /** Adds an event to the trial while this attempt runs it; false otherwise. */
  addEvent(run: TrialAttempt, type: TrialEventType, message: string): Promise<boolean> {
    return this.updateRunning(run, appendEvent(eventType(type), '$3::text'), [message]);
  }

  /** The run trains on another backend than the worker's (a model the native engine does not build). */
  recordBackend(run: TrialAttempt, backend: string): Promise<boolean> {
    return this.updateRunning(run, `backend = $3`, [backend]);
  }

  /** The trial goes back to `queued` (the caller puts its job back on the queue); false when this attempt no longer holds it. */
  handBack(run: TrialAttempt, message: string): Promise<boolean> {
    return this.updateRunning(run, `status = 'queued', ${appendEvent(eventType('handed-back'), '$3::text')}`, [message]);
  }

  /** The trial's and its sweep's status, for saying why a job's trial could not be claimed; undefined when either is gone. */
  async statusOf(trialId: string, sweepId: string): Promise<{ trial: TrialStatus; attempts: number; sweep: SweepStatus } | undefined> {
    const [row] = await queryRows(
      this.manager,
      z.object({ trial: column.trialStatus, attempts: column.int, sweep: column.sweepStatus }),
      `SELECT t.status AS trial, t.attempts, s.status AS sweep FROM trials t JOIN sweeps s ON s.id = t.sweep_id WHERE t.id = $1 AND t.sweep_id = $2`,
      [trialId, sweepId],
    );
    return row;
  }

  private async updateRunning({ trialId, attempt }: TrialAttempt, set: string, values: unknown[]): Promise<boolean> {
    return (await rowsChanged(this.manager, `UPDATE trials SET ${set}, updated_at = now() WHERE id = $1 AND attempts = $2 AND status = 'running'`, [trialId, attempt, ...values])) > 0;
  }

  // ---- the coordinator's repairs and ends ----

  /**
   * Active trials that may have lost their job: queued and enqueued in a running sweep, or running,
   * untouched for `graceMs` and listed by no live worker's heartbeat. Oldest first.
   */
  mayHaveLostTheirJob(graceMs: number, limit: number): Promise<SeenTrial[]> {
    return queryRows(
      this.manager,
      SeenTrialRow,
      `SELECT t.id, t.sweep_id AS "sweepId", t.status, t.attempts FROM trials t JOIN sweeps s ON s.id = t.sweep_id
       WHERE t.status = ANY($3::trial_status[])
         AND ((t.status = 'queued' AND t.enqueued_at IS NOT NULL AND s.status = 'running')
           OR (t.status = 'running' AND t.updated_at < now() - make_interval(secs => $1) AND NOT ${heldByLiveWorker('t')}))
       ORDER BY t.updated_at LIMIT $2`,
      [graceMs / 1000, limit, ACTIVE_TRIAL_STATUSES],
    );
  }

  /**
   * Trials stranded for longer than `afterMs`: queued in a running sweep without a job, or running with
   * no live worker. Zero while the reconciler keeps up.
   */
  async countStranded(afterMs: number): Promise<number> {
    const { n } = await queryRow(
      this.manager,
      CountRow,
      `SELECT count(*)::int AS n FROM trials t JOIN sweeps s ON s.id = t.sweep_id
       WHERE t.status = ANY($2::trial_status[]) AND t.updated_at < now() - make_interval(secs => $1)
         AND ((t.status = 'queued' AND t.enqueued_at IS NULL AND s.status = 'running') OR (t.status = 'running' AND NOT ${heldByLiveWorker('t')}))`,
      [afterMs / 1000, ACTIVE_TRIAL_STATUSES],
    );
    return n;
  }

  /** The trial's job was lost: it gets a new one (a running trial goes back to `queued`, to resume from its checkpoint). False when it changed since it was seen. */
  requeueLost(trial: SeenTrial, message: string): Promise<boolean> {
    const set = trial.status === 'running' ? `status = 'queued', enqueued_at = NULL` : `enqueued_at = NULL`;
    return this.updateIfAsSeen(trial, `${set}, ${appendEvent(eventType('requeued'), '$4::text')}`, [message]);
  }

  /** The trial's job was lost once too often: it ends `failed` with the reason. False when it changed since it was seen. */
  failLost(trial: SeenTrial, reason: string): Promise<boolean> {
    return this.updateIfAsSeen(trial, `status = 'failed', status_reason = $4, finished_at = now(), ${appendEvent(eventType('failed'), '$4::text')}`, [reason]);
  }

  /** The trial's job failed for good: an active trial ends `failed` with the job's reason. */
  async failAfterJob(trialId: string, reason: string): Promise<boolean> {
    const changed = await rowsChanged(
      this.manager,
      `UPDATE trials SET status = 'failed', status_reason = $2, finished_at = now(), updated_at = now(), ${appendEvent(eventType('failed'), '$2::text')}
       WHERE id = $1 AND status = ANY($3::trial_status[])`,
      [trialId, reason, trialStatusesThatMayBecome('failed')],
    );
    return changed > 0;
  }

  /**
   * Cancels a sweep's active trials (in the caller's transaction, with the sweep row locked), each with a
   * `cancelled` event; returns their ids and which of them were still queued (their jobs may be removed).
   */
  async cancelActiveOfSweep(sweepId: string, reason: string): Promise<{ cancelled: string[]; wereQueued: string[] }> {
    const rows = await queryRows(
      this.manager,
      z.object({ id: column.id, was: column.trialStatus }),
      `WITH locked AS (${lockedInIdOrder('SELECT t.id, t.status FROM trials t WHERE t.sweep_id = $1 AND t.status = ANY($3::trial_status[])', 't')})
       UPDATE trials t SET status = 'cancelled', status_reason = $2, finished_at = now(), updated_at = now(), ${appendEvent(eventType('cancelled'), '$2::text', 't')}
       FROM locked l WHERE t.id = l.id
       RETURNING t.id, l.status AS was`,
      [sweepId, reason, trialStatusesThatMayBecome('cancelled')],
    );
    return { cancelled: rows.map((r) => r.id), wereQueued: rows.filter((r) => r.was === 'queued').map((r) => r.id) };
  }

  /** The ids of a sweep's trials (their jobs' ids), or of those in one status. */
  async idsOfSweep(sweepId: string, status?: TrialStatus): Promise<string[]> {
    const rows = await this.manager.find(TrialEntity, { where: { sweepId, ...(status ? { status } : {}) }, select: ['id'] });
    return rows.map((t) => t.id);
  }

  /** The ids of a sweep's queued trials. */
  queuedOfSweep(sweepId: string): Promise<string[]> {
    return this.idsOfSweep(sweepId, 'queued');
  }

  /** A repair of the reconciler: applies only while the trial is as it was seen (status and attempt). */
  private async updateIfAsSeen(trial: SeenTrial, set: string, values: unknown[]): Promise<boolean> {
    const sql = `UPDATE trials SET ${set}, updated_at = now() WHERE id = $1 AND attempts = $2 AND status = $3::trial_status`;
    return (await rowsChanged(this.manager, sql, [trial.id, trial.attempts, trial.status, ...values])) > 0;
  }
}
