import {
  isActiveTrial,
  parseSweepSpec,
  searchDimensionsOf,
  trialConfigOf,
  type ProjectRole,
  type FinishedTrialStatus,
  type ParamValue,
  type SweepSpec,
  type SweepSpecInput,
  type SweepStatus,
} from '@tuneforge/contracts';
import { hashPassword, newApiToken, saveCheckpoint, upsertMetricPoints, type ClaimedTrial, type Stores, type SweepEntity, type TrialEnding, type TrialEntity, type TrialRef } from '@tuneforge/persistence';
import { aSweepSpec } from './sweep-specs';

/** A valid spec as the API stores it (parsed, with its defaults and seed). */
export function aParsedSweepSpec(overrides: Partial<SweepSpecInput> = {}): SweepSpec {
  return parseSweepSpec(aSweepSpec(overrides));
}

/** The low end of every dimension: a valid assignment for any spec, the same every time. */
export function lowestAssignment(spec: SweepSpec): Record<string, ParamValue> {
  return Object.fromEntries(
    Object.entries(searchDimensionsOf(spec)).map(([key, dimension]) => [key, dimension.type === 'choice' ? dimension.values[0] : dimension.min] as const),
  );
}

export interface SeedSweep {
  spec?: SweepSpec;
  /** Trials to create, numbered from 0 (default: none). */
  trials?: number;
  /** A status to move the sweep to after its trials exist, through the store's lifecycle (e.g. `paused`). */
  status?: Exclude<SweepStatus, 'running'>;
  /** The project it belongs to (default: the default project). */
  projectId?: string;
}

/**
 * A sweep and its trials written through the stores, as the coordinator writes them (no raw SQL): the
 * sweep counts its trials, each trial has a resolved config and its own seed.
 */
export async function seedSweep(stores: Stores, { spec = aParsedSweepSpec(), trials = 0, status, projectId }: SeedSweep = {}): Promise<{ sweep: SweepEntity; trials: TrialRef[] }> {
  return stores.transaction(async (tx) => {
    const seed = spec.seed ?? 1;
    const sweep = await tx.sweeps.insert({ name: spec.name, spec, seed, plannedTrials: spec.budget.maxTrials, idempotencyKey: null, projectId });
    const config = trialConfigOf(spec, lowestAssignment(spec));
    const created = await tx.trials.insertMany(
      sweep.id,
      Array.from({ length: trials }, (_, number) => ({ number, seed: seed + number, config })),
    );
    await tx.sweeps.addCreated(sweep.id, trials);
    if (status) await tx.sweeps.moveTo(sweep.id, status);
    return { sweep: { ...sweep, trialsCreated: trials, status: status ?? 'running' }, trials: created };
  });
}

/** The worker id the factories' claims and ends are recorded under. */
export const SEED_WORKER_ID = 'seed-worker';

/**
 * Claims the trials as a worker's claim does (one statement, one more attempt each: a running trial is
 * taken over). Throws when one cannot be claimed (finished, or its sweep is not running or paused).
 */
export async function claimTrials(stores: Stores, trials: readonly TrialRef[], workerId = SEED_WORKER_ID): Promise<ClaimedTrial[]> {
  const claimed = await stores.trials.claim(trials, workerId, 'simulated');
  return claimed.map((trial, i) => {
    if (!trial) throw new Error(`trial ${trials[i].id} could not be claimed`);
    return trial;
  });
}

export interface EndTrials {
  status?: FinishedTrialStatus;
  /** The trial's result: a value, or one computed from the claimed trial (its config, number). */
  bestMetric?: number | null | ((trial: ClaimedTrial) => number | null);
  workerId?: string;
}

/** Ends the trials the way a worker records a run's end: claimed under a new attempt, then ended under it. */
export async function endTrials(stores: Stores, trials: readonly TrialRef[], { status = 'completed', bestMetric = null, workerId }: EndTrials = {}): Promise<void> {
  if (trials.length === 0) return;
  const claimed = await claimTrials(stores, trials, workerId);
  const ended = await stores.trials.end(
    claimed.map((trial) => ({
      trialId: trial.id,
      attempt: trial.attempts,
      status,
      reason: `${status} by the test`,
      bestMetric: typeof bestMetric === 'function' ? bestMetric(trial) : bestMetric,
      lastEpoch: null,
    })),
  );
  if (ended.includes(false)) throw new Error('a trial the factory claimed could not be ended');
}

/** Every trial of the sweep in number order, as the trial read model pages them. */
/** How many sweeps exist (a refused request must create none). */
export async function sweepCount(stores: Stores): Promise<number> {
  const [{ n }]: { n: number }[] = await stores.manager.query('SELECT count(*)::int AS n FROM sweeps');
  return n;
}

export async function trialsOfSweep(stores: Stores, sweepId: string): Promise<TrialEntity[]> {
  return (await stores.trialReads.page(sweepId, 'minimize', 0, { sort: 'number', limit: 10_000, offset: 0 })).trials;
}

/** Ends the sweep's first `limit` active trials by number (all by default), as their workers would. */
export async function endActiveTrials(stores: Stores, sweepId: string, { limit = Infinity, ...ending }: EndTrials & { limit?: number } = {}): Promise<void> {
  const active = (await trialsOfSweep(stores, sweepId)).filter((trial) => isActiveTrial(trial.status));
  await endTrials(stores, active.slice(0, limit), ending);
}

/** Metric points of a claimed run (under its attempt), as the worker's MetricWriter writes them. */
export async function seedMetricPoints(stores: Stores, run: Pick<ClaimedTrial, 'id' | 'sweepId' | 'attempts'>, points: readonly { epoch: number; name: string; value: number }[]): Promise<void> {
  await upsertMetricPoints(
    stores.manager,
    points.map((p) => ({ ...p, sweepId: run.sweepId, trialId: run.id, attempt: run.attempts })),
  );
}

export interface SeedWorker {
  id: string;
  /** The trials its last heartbeat lists (default: none). */
  runningTrialIds?: readonly string[];
}

/** A live worker as WorkerRegistry writes it: registered, then heartbeating the trials it runs. */
export async function seedWorker(stores: Stores, { id, runningTrialIds = [] }: SeedWorker): Promise<void> {
  await stores.workers.register({ id, host: 'test-host', pid: process.pid, backend: 'simulated', concurrency: Math.max(1, runningTrialIds.length) });
  await stores.workers.heartbeat(id, runningTrialIds);
}

/** Cancels a sweep as the coordinator's cancel does: its active trials become `cancelled`, then the sweep. */
export function cancelSweep(stores: Stores, sweepId: string): Promise<{ cancelled: string[]; wereQueued: string[] }> {
  return stores.transaction(async (tx) => {
    await tx.sweeps.lock(sweepId);
    const cancelled = await tx.trials.cancelActiveOfSweep(sweepId, 'sweep cancelled');
    await tx.sweeps.moveTo(sweepId, 'cancelled');
    return cancelled;
  });
}

export interface SeedRun {
  /** Metric points the run reports. */
  points?: readonly { epoch: number; name: string; value: number }[];
  /** A checkpoint the run saves (it records its epoch and best value on the trial, as the worker's does). */
  checkpoint?: { epoch: number; format: string; bytes: Buffer; bestMetric?: number | null; bestEpoch?: number | null };
  /** How the run ends; without it the trial stays running. */
  end?: { status: FinishedTrialStatus; bestMetric?: number | null; lastEpoch?: number | null; prunedRung?: number | null; reason?: string } & Pick<TrialEnding, 'testMetrics' | 'preprocessing'>;
  workerId?: string;
}

/**
 * A trial trained the way a worker records it: claimed under a new attempt, its metric points and
 * checkpoint written under that claim, then ended as `end` says. Returns the claimed trial.
 */
export async function seedRun(stores: Stores, trial: TrialRef, { points = [], checkpoint, end, workerId }: SeedRun = {}): Promise<ClaimedTrial> {
  const [claimed] = await claimTrials(stores, [trial], workerId);
  const run = { trialId: claimed.id, attempt: claimed.attempts };
  await seedMetricPoints(stores, claimed, points);
  if (checkpoint && !(await saveCheckpoint(stores.manager, { ...run, ...checkpoint, bestMetric: checkpoint.bestMetric ?? null }))) {
    throw new Error(`the checkpoint of trial ${trial.id} was refused`);
  }
  if (end) {
    const [ended] = await stores.trials.end([
      {
        ...run,
        status: end.status,
        reason: end.reason ?? `${end.status} by the test`,
        bestMetric: end.bestMetric ?? null,
        lastEpoch: end.lastEpoch ?? null,
        prunedRung: end.prunedRung ?? null,
        testMetrics: end.testMetrics,
        preprocessing: end.preprocessing,
      },
    ]);
    if (!ended) throw new Error(`trial ${trial.id} could not be ended`);
  }
  return claimed;
}

/**
 * Test-only: the trials were last written `ms` ago (`updated_at = now() - ms`), as if nothing had written
 * them since (e.g. to age a running trial past the reconciler's grace). No store verb does this, on purpose: every store write sets
 * `updated_at` to now. libs/testing is test support, so this one statement runs here as SQL.
 */
export async function ageTrials(stores: Stores, trialIds: readonly string[], ms: number): Promise<void> {
  await stores.manager.query(`UPDATE trials SET updated_at = now() - make_interval(secs => $2) WHERE id = ANY($1::uuid[])`, [trialIds, ms / 1000]);
}

/**
 * Test-only: how many claim statements started these trials. Each claim statement stamps `started_at`
 * with its own transaction's start, so the distinct values count them; compared in PostgreSQL, at its
 * microsecond precision (a JS Date keeps milliseconds, and two statements can start within one).
 */
export async function claimStatementsOf(stores: Stores, trialIds: readonly string[]): Promise<number> {
  const [{ n }]: { n: number }[] = await stores.manager.query(`SELECT count(DISTINCT started_at)::int AS n FROM trials WHERE id = ANY($1::uuid[])`, [trialIds]);
  return n;
}

/**
 * Test-only: drops a table, to see how the app answers when its database is broken (no store may do this).
 * libs/testing is test support, so this statement runs here as SQL.
 */
export async function dropTable(stores: Stores, table: string): Promise<void> {
  await stores.manager.query(`DROP TABLE ${stores.manager.connection.driver.escape(table)}`);
}

/**
 * Test-only: ends every session holding an advisory lock in the stores' database (waiting up to 5 s for each to go), as a
 * cut connection or a PostgreSQL failover would end a coordinator's leader lock session. Answers how many it ended.
 */
export async function endAdvisoryLockSessions(stores: Stores): Promise<number> {
  const rows: { ended: boolean }[] = await stores.manager.query(
    `SELECT pg_terminate_backend(pid, 5000) AS ended FROM pg_locks
     WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return rows.filter((r) => r.ended).length;
}

/** A user with these project roles and an API token (returned in clear, as `POST /tokens` would show it once). */
export async function seedAccount(
  stores: Stores,
  options: { name: string; roles?: { projectId: string; role: ProjectRole }[]; isAdmin?: boolean; password?: string; expiresAt?: Date | null },
): Promise<{ userId: string; token: string; tokenId: string }> {
  const user = await stores.accounts.createUser({ name: options.name, kind: 'person', passwordHash: options.password ? await hashPassword(options.password) : null, isAdmin: options.isAdmin ?? false });
  for (const { projectId, role } of options.roles ?? []) await stores.accounts.setMember(projectId, user.id, role);
  const made = newApiToken();
  const row = await stores.accounts.insertToken({ userId: user.id, name: `${options.name}'s`, prefix: made.prefix, secretSha256: made.secretSha256, expiresAt: options.expiresAt ?? null });
  return { userId: user.id, token: made.token, tokenId: row.id };
}

/** Expires every session of a user, as time would: the cookies a browser holds for them no longer sign in. */
export async function expireSessions(stores: Stores, userId: string): Promise<void> {
  await stores.manager.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [userId]);
}
