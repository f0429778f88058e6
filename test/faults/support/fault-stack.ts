import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { SweepDto, SweepSpecInput, TrialEvent, TrialStatus } from '@tuneforge/contracts';
import { adminFetch, AppProcess, createTestDatabase, TEST_ADMIN_TOKEN, freePort, PrivatePostgres, PrivateRedis, startCoordinatorProcess, type TestDatabase, waitFor } from '@tuneforge/testing';

const ROOT = join(__dirname, '../../..');

export interface FaultStackOptions {
  /** Added to every coordinator's environment (after the stack's defaults). */
  coordinatorEnv?: Record<string, string>;
  /** Added to every worker's environment (after the stack's defaults). */
  workerEnv?: Record<string, string>;
}

/** A trial as PostgreSQL holds it, read by the tests (never through the process under test). */
export interface TrialRow {
  id: string;
  number: number;
  status: TrialStatus;
  statusReason: string | null;
  attempts: number;
  lastEpoch: number | null;
  workerId: string | null;
  events: TrialEvent[];
  createdAt: Date;
  /** The highest epoch with a metric point stored. */
  recordedEpoch: number;
}

/** Timings short enough for tests: the reconciler runs every second, a dead worker's job lock lapses after 3 s. */
const COORDINATOR_DEFAULTS = { DISPATCH_INTERVAL_MS: '1000', LOG_LEVEL: 'log', NO_COLOR: '1' };
const WORKER_DEFAULTS = { JOB_LOCK_MS: '3000', STALLED_CHECK_MS: '2000', HEARTBEAT_MS: '1000', METRICS_FLUSH_MS: '100', TF_BACKEND: 'wasm', LOG_LEVEL: 'log', NO_COLOR: '1' };

/**
 * A PostgreSQL cluster and a Redis server of the stack's own (so a fault can stop, restart or flush
 * them without touching anyone else's), one coordinator process and workers started on demand, all
 * on 127.0.0.1. The test reads PostgreSQL through a pool of its own that survives outages.
 */
export class FaultStack {
  readonly postgres: PrivatePostgres;
  readonly redis: PrivateRedis;
  readonly workers = new Map<string, AppProcess>();
  database!: TestDatabase;
  db!: Pool;
  coordinator!: AppProcess;
  api = '';
  private coordinatorPort = 0;
  /** Every process started, for the logs written at close. */
  private readonly started: { name: string; process: AppProcess }[] = [];

  private constructor(
    readonly label: string,
    private readonly options: FaultStackOptions,
    postgresPort: number,
    redisPort: number,
  ) {
    this.postgres = new PrivatePostgres(postgresPort);
    this.redis = new PrivateRedis(redisPort);
  }

  /** Starts PostgreSQL, Redis and a coordinator; no workers yet. */
  static async start(label: string, options: FaultStackOptions = {}): Promise<FaultStack> {
    const stack = new FaultStack(label, options, await freePort(), await freePort());
    stack.postgres.init();
    stack.postgres.start();
    await stack.redis.start();
    stack.database = await createTestDatabase(label, stack.postgres.serverUrl);
    stack.db = new Pool({ connectionString: stack.database.url, max: 3, connectionTimeoutMillis: 2_000 });
    // Idle clients lose their connection when a test stops PostgreSQL; the pool makes new ones afterwards.
    stack.db.on('error', () => undefined);
    stack.coordinatorPort = await freePort();
    await stack.startCoordinator();
    return stack;
  }

  /** What every process of the stack gets: its own database and Redis. */
  baseEnv(): Record<string, string> {
    return { DATABASE_URL: this.database.url, REDIS_URL: this.redis.url, QUEUE_PREFIX: `tf-${this.label}` };
  }

  /** A coordinator on the stack's port (the same across restarts), once its health check passes. */
  async startCoordinator(env: Record<string, string> = {}): Promise<AppProcess> {
    const started = await startCoordinatorProcess({ ...this.baseEnv(), ...COORDINATOR_DEFAULTS, ...this.options.coordinatorEnv, ...env }, this.coordinatorPort);
    this.coordinator = started.process;
    this.api = started.api;
    this.track('coordinator', this.coordinator);
    return this.coordinator;
  }

  /** Another coordinator on the stack's database and queue, on a port of its own, once healthy; the stack's requests still go to `coordinator` (see `useCoordinator`). */
  async startReplica(env: Record<string, string> = {}): Promise<{ process: AppProcess; api: string }> {
    const replica = await startCoordinatorProcess({ ...this.baseEnv(), ...COORDINATOR_DEFAULTS, ...this.options.coordinatorEnv, ...env });
    this.track('replica', replica.process);
    return replica;
  }

  /** Sends the stack's own requests (submit, get, waitForSweep, and so the invariants) to this coordinator from now on. */
  useCoordinator({ process, api }: { process: AppProcess; api: string }): void {
    this.coordinator = process;
    this.api = api;
  }

  /** A coordinator process that is not waited for (to stop it before it is healthy, or with a dependency down). */
  spawnCoordinator(env: Record<string, string> = {}): AppProcess {
    const coordinator = new AppProcess('apps/coordinator/src/main.ts', {
      TUNEFORGE_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ...this.baseEnv(),
      ...COORDINATOR_DEFAULTS,
      ...this.options.coordinatorEnv,
      ...env,
      PORT: String(this.coordinatorPort),
      HOST: '127.0.0.1',
    });
    this.coordinator = coordinator;
    this.track('coordinator', coordinator);
    return coordinator;
  }

  startWorker(id: string, env: Record<string, string> = {}): AppProcess {
    assert.ok(!this.workers.get(id)?.running, `worker ${id} is already running`);
    const worker = new AppProcess('apps/worker/src/main.ts', { ...this.baseEnv(), ...WORKER_DEFAULTS, ...this.options.workerEnv, ...env, WORKER_ID: id });
    this.workers.set(id, worker);
    this.track(`worker-${id}`, worker);
    return worker;
  }

  /** Resolves once each worker has registered and heartbeats. */
  async waitForWorkers(...ids: string[]): Promise<void> {
    await waitFor(
      `workers ${ids.join(', ')} are live`,
      async () => {
        for (const id of ids) if (!this.workers.get(id)?.running) throw new Error(`worker ${id} exited:\n${this.workers.get(id)?.output.slice(-4_000)}`);
        const { rows } = await this.db.query(`SELECT count(*)::int AS n FROM workers WHERE id = ANY($1) AND stopped_at IS NULL AND last_heartbeat_at > now() - interval '5 seconds'`, [ids]);
        return rows[0].n === ids.length;
      },
      90_000,
    );
  }

  async killWorker(id: string): Promise<void> {
    await this.workers.get(id)?.stop('SIGKILL');
  }

  async stopWorkers(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await Promise.all([...this.workers.values()].map((worker) => worker.stop(signal)));
  }

  async submit(spec: SweepSpecInput): Promise<SweepDto> {
    const response = await adminFetch(`${this.api}/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()) as SweepDto;
  }

  async get<T>(path: string): Promise<{ status: number; body: T }> {
    const response = await adminFetch(`${this.api}${path}`);
    return { status: response.status, body: (await response.json()) as T };
  }

  /** Cancels every sweep still running or paused (one an earlier scenario left behind), through the API. */
  async cancelUnfinishedSweeps(): Promise<void> {
    for (const status of ['running', 'paused']) {
      const { body } = await this.get<{ items: SweepDto[] }>(`/sweeps?status=${status}&limit=100`);
      for (const sweep of body.items) {
        const response = await adminFetch(`${this.api}/sweeps/${sweep.id}/cancel`, { method: 'POST' });
        assert.ok(response.status === 200 || response.status === 409, `cancel sweep ${sweep.id}: ${response.status} ${await response.text()}`);
      }
    }
  }

  /** The sweep's trials from PostgreSQL, by number, with the highest epoch each has metrics for. */
  async trials(sweepId: string): Promise<TrialRow[]> {
    const { rows } = await this.db.query(
      `SELECT t.id, t.number, t.status, t.status_reason AS "statusReason", t.attempts, t.last_epoch AS "lastEpoch", t.worker_id AS "workerId",
              t.events, t.created_at AS "createdAt", COALESCE((SELECT max(m.epoch) FROM metric_points m WHERE m.trial_id = t.id), 0)::int AS "recordedEpoch"
       FROM trials t WHERE t.sweep_id = $1 ORDER BY t.number`,
      [sweepId],
    );
    return rows as TrialRow[];
  }

  /** Resolves with the sweep once it is `completed`; on a timeout the error says where each trial stands. */
  async waitForSweep(id: string, timeoutMs = 120_000): Promise<SweepDto> {
    try {
      return await waitFor(
        `sweep ${id} completes`,
        async () => {
          const { body } = await this.get<SweepDto>(`/sweeps/${id}`);
          return body.status === 'completed' ? body : undefined;
        },
        timeoutMs,
      );
    } catch (error) {
      const trials = await this.trials(id).catch((e: Error) => `(trials unreadable: ${e.message})`);
      const summary = typeof trials === 'string' ? trials : trials.map((t) => `#${t.number} ${t.status} attempts=${t.attempts} epoch=${t.lastEpoch ?? '-'}`).join('; ');
      throw new Error(`${(error as Error).message}; trials: ${summary}`);
    }
  }

  /** Remembers a process under a name of its own (coordinator-1, coordinator-2, worker-a-1, ...). */
  private track(kind: string, process: AppProcess): void {
    this.started.push({ name: `${kind}-${this.started.filter((p) => p.name.startsWith(`${kind}-`)).length + 1}`, process });
  }

  /** The tail of every process's output, for failure messages. */
  logTail(chars = 3_000): string {
    return this.started.map(({ name, process }) => `--- ${name}${process.running ? '' : ' (exited)'}\n${process.output.slice(-chars)}`).join('\n');
  }

  /** Stops everything (SIGKILL: nothing of the stack outlives it) and leaves each process's output in tmp/faults/<label>/. */
  async close(): Promise<void> {
    await Promise.all(this.started.map(({ process }) => process.stop('SIGKILL')));
    const dir = join(ROOT, 'tmp', 'faults', this.label);
    mkdirSync(dir, { recursive: true });
    for (const { name, process } of this.started) writeFileSync(join(dir, `${name}.log`), process.output);
    await this.db?.end().catch(() => undefined);
    await this.redis.stop();
    this.postgres.destroy();
  }
}
