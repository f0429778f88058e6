import { Client } from 'pg';
import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { databaseOptions, Stores } from '@tuneforge/persistence';
import { createApiClient, type TuneforgeClient } from '@tuneforge/api-client';
import { TRIALS_QUEUE, type SweepDto, type SweepSpecInput } from '@tuneforge/contracts';
import { adminFetch, AppProcess, createTestDatabase, TEST_ADMIN_TOKEN, startCoordinatorProcess, type TestDatabase, uniqueQueuePrefix, waitFor } from '@tuneforge/testing';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A coordinator process with its own database and queue prefix, workers started on demand, and small
 * helpers for the API. Call `start` in `before`, `stopWorkers` in `afterEach`, `close` in `after`.
 */
export class E2eStack {
  database!: TestDatabase;
  db!: Client;
  coordinator!: AppProcess;
  api = '';
  readonly workers: AppProcess[] = [];
  private readonly queuePrefix: string;
  private dataSource?: Promise<DataSource>;

  constructor(
    private readonly label: string,
    private readonly baseEnv: Record<string, string> = {},
  ) {
    this.queuePrefix = uniqueQueuePrefix(label);
  }

  env(): Record<string, string> {
    return { DATABASE_URL: this.database.url, REDIS_URL, QUEUE_PREFIX: this.queuePrefix, DISPATCH_INTERVAL_MS: '1000', ...this.baseEnv };
  }

  async start(): Promise<void> {
    this.database = await createTestDatabase(this.label);
    this.db = new Client({ connectionString: this.database.url });
    await this.db.connect();
    await this.startCoordinator();
  }

  async startCoordinator(port?: number): Promise<void> {
    ({ process: this.coordinator, api: this.api } = await startCoordinatorProcess(this.env(), port));
  }

  /** The stores on this stack's database, for the factories of @tuneforge/testing (opened on first use). */
  async stores(): Promise<Stores> {
    this.dataSource ??= new DataSource(databaseOptions(this.database.url, `${this.label}-e2e`)).initialize();
    return new Stores((await this.dataSource).manager);
  }

  /** The shared API client (the CLI's and the dashboard's) on this coordinator. */
  get client(): TuneforgeClient {
    return createApiClient({ baseUrl: this.api, token: TEST_ADMIN_TOKEN });
  }

  /** The coordinator's base URL, without /api/v1 (where the dashboard is served). */
  get origin(): string {
    return new URL(this.api).origin;
  }

  startWorker(id: string, env: Record<string, string> = {}): AppProcess {
    const worker = new AppProcess('apps/worker/src/main.ts', { ...this.env(), WORKER_ID: id, ...env });
    this.workers.push(worker);
    return worker;
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.stop('SIGTERM')));
  }

  submit(spec: SweepSpecInput): Promise<SweepDto> {
    return this.client.createSweep({ body: spec });
  }

  async get<T>(path: string): Promise<T> {
    return (await (await adminFetch(`${this.api}${path}`)).json()) as T;
  }

  /** Resolves with the sweep once it is `completed`. */
  waitForSweep(id: string, timeoutMs = 120_000): Promise<SweepDto> {
    return waitFor(
      `sweep ${id} completes`,
      async () => {
        const sweep = await this.client.getSweep({ id });
        return sweep.status === 'completed' ? sweep : undefined;
      },
      timeoutMs,
    );
  }

  queue(): Queue {
    return new Queue(TRIALS_QUEUE, { connection: { url: REDIS_URL }, prefix: this.queuePrefix });
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    await this.coordinator?.stop('SIGTERM');
    await this.db?.end();
    if (this.dataSource) await (await this.dataSource).destroy();
    const queue = this.queue();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await this.database?.drop();
  }
}
