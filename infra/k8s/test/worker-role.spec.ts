import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { SweepSpecInput } from '@tuneforge/contracts';
import { databaseOptions, rungValuesAt, rungValuesSince, Stores } from '@tuneforge/persistence';
import { aParsedSweepSpec, AppProcess, freePort, seedRun, seedSweep, TEST_DATABASE_SERVER_URL, TestStores, waitFor } from '@tuneforge/testing';
import { TEST_REDIS_URL, TrialQueue } from '../../../apps/worker/test/support/worker-services';
import { K8S_DIR } from './support/render';

const ROLE_SQL = readFileSync(join(K8S_DIR, 'components/worker-role/worker-role.sql'), 'utf8');
const INSUFFICIENT_PRIVILEGE = '42501';

/** What a worker may do, table by table (worker-role.sql's table of grants); every other table is out of reach. */
const WORKER_PRIVILEGES: Record<string, string[]> = {
  checkpoints: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'],
  datasets: ['SELECT'],
  metric_points: ['INSERT', 'SELECT', 'UPDATE'],
  sweeps: ['SELECT'],
  trials: ['SELECT', 'UPDATE'],
  workers: ['INSERT', 'SELECT', 'UPDATE'],
};

const simulatedSpec = (overrides: Partial<SweepSpecInput> = {}) =>
  aParsedSweepSpec({
    name: 'worker-role',
    model: 'simulated',
    searchSpace: { hiddenUnits: { type: 'int', min: 16, max: 64 }, learningRate: { type: 'float', min: 0.001, max: 0.01, log: true } },
    ...overrides,
  });

async function rejection(statement: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await statement;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  assert.fail('the statement was allowed');
}

// The coordinator owns the schema (it migrates as the database's owner); workers connect as the role of
// components/worker-role/worker-role.sql. On a scratch database migrated to the current schema, that role
// runs everything a worker runs and nothing else. Roles belong to the server, so this one has its own name.
describe('the workers’ PostgreSQL role (worker-role.sql)', () => {
  const role = `tf_test_worker_${randomBytes(4).toString('hex')}`;
  const roleSql = ROLE_SQL.replace(/\btuneforge_worker\b/g, role);
  let owner: TestStores;
  let workerUrl: string;
  let worker: DataSource;
  let workerStores: Stores;

  const server = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: `${TEST_DATABASE_SERVER_URL}/postgres` });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const privilegesOfRole = async () => {
    const rows: { table_name: string; privilege_type: string }[] = await owner.dataSource.query(
      `SELECT table_name, privilege_type FROM information_schema.table_privileges WHERE grantee = $1 ORDER BY table_name, privilege_type`,
      [role],
    );
    const byTable: Record<string, string[]> = {};
    for (const row of rows) (byTable[row.table_name] ??= []).push(row.privilege_type);
    return byTable;
  };

  before(async () => {
    owner = await TestStores.open('k8s_worker_role');
    await owner.dataSource.query(`BEGIN; ${roleSql}; COMMIT;`);
    const password = randomBytes(12).toString('hex');
    await owner.dataSource.query(`ALTER ROLE ${role} PASSWORD '${password}'`);
    const url = new URL(owner.database.url);
    url.username = role;
    url.password = password;
    workerUrl = url.toString();
    worker = await new DataSource(databaseOptions(workerUrl, 'k8s-worker-role-test')).initialize();
    workerStores = new Stores(worker.manager);
  });
  after(async () => {
    await worker?.destroy();
    await owner?.close();
    await server((client) => client.query(`DROP ROLE IF EXISTS ${role}`));
  });

  it('holds exactly the privileges of its table of grants, named table by table, and the same after a second run', async () => {
    assert.deepEqual(await privilegesOfRole(), WORKER_PRIVILEGES);
    await owner.dataSource.query(`BEGIN; ${roleSql}; COMMIT;`);
    assert.deepEqual(await privilegesOfRole(), WORKER_PRIVILEGES);
    const [attributes] = await owner.dataSource.query(
      `SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolbypassrls FROM pg_roles WHERE rolname = $1`,
      [role],
    );
    assert.deepEqual(attributes, { rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolcanlogin: true, rolbypassrls: false });
    assert.doesNotMatch(ROLE_SQL, /^\s*GRANT[^;]*\bALL\s+TABLES\b/im, 'grants name their tables: a table added later is denied until granted');
    assert.doesNotMatch(ROLE_SQL, /DEFAULT\s+PRIVILEGES/i, 'no default privileges: new tables are not granted behind the reader’s back');
  });

  it("runs one trial's statements through the stores as the role: claim, metric upsert, checkpoint, rung values, end", async () => {
    const { trials } = await seedSweep(owner.stores, { trials: 2, spec: simulatedSpec() });
    const points = [1, 2, 3].map((epoch) => ({ epoch, name: 'val_loss', value: 1 / epoch }));
    const claimed = await seedRun(workerStores, trials[0], {
      points,
      checkpoint: { epoch: 3, format: 'test', bytes: Buffer.from('weights'), bestMetric: 1 / 3, bestEpoch: 3 },
      end: { status: 'completed', bestMetric: 1 / 3, lastEpoch: 3 },
    });
    const atRung = await rungValuesAt(workerStores.manager, [{ sweepId: claimed.sweepId, metric: 'val_loss', epoch: 2 }]);
    assert.deepEqual(
      atRung.map((r) => [r.trialNumber, r.value]),
      [[0, 1 / 2]],
    );
    assert.equal((await rungValuesSince(workerStores.manager, '0', [{ sweepId: claimed.sweepId, metric: 'val_loss' }])).values.length, 3);

    const ended = await owner.stores.trialReads.find(trials[0].id);
    assert.deepEqual([ended?.status, ended?.attempts, ended?.lastEpoch, ended?.bestEpoch], ['completed', 1, 3, 3]);
    assert.deepEqual(
      (await owner.stores.trialReads.metricPoints(trials[0].id, ['val_loss'])).map((p) => p.epoch),
      [1, 2, 3],
    );
    assert.deepEqual(
      (await owner.stores.trialReads.checkpointList(trials[0].id)).map((c) => c.epoch),
      [3],
    );
  });

  it('registers, heartbeats and stops a worker, hands a trial back, and reads an uploaded dataset as the role', async () => {
    const { trials } = await seedSweep(owner.stores, { trials: 1, spec: simulatedSpec() });
    await workerStores.workers.register({ id: 'role-worker', host: 'test-host', pid: process.pid, backend: 'simulated', concurrency: 1 });
    const [claimed] = await workerStores.trials.claim(trials, 'role-worker', 'simulated');
    assert.ok(claimed);
    await workerStores.workers.heartbeat('role-worker', [claimed.id]);
    assert.equal(await workerStores.trials.attemptState({ trialId: claimed.id, attempt: claimed.attempts }), 'current');
    assert.ok(await workerStores.trials.handBack({ trialId: claimed.id, attempt: claimed.attempts }, 'stopping'));
    await workerStores.workers.markStopped('role-worker');
    assert.equal((await owner.stores.workers.list({ liveOnly: false })).find((w) => w.id === 'role-worker')?.stoppedAt instanceof Date, true);

    const content = Buffer.from('date,births\n2024-01-01,1\n');
    const dataset = await owner.stores.datasets.insert({
      name: 'uploaded',
      format: 'csv',
      columns: [],
      rowCount: 1,
      content,
      sizeBytes: content.length,
      sha256: '0'.repeat(64),
    });
    assert.equal(await workerStores.datasets.content(dataset.id), content.toString('utf8'));
  });

  it('refuses DDL, and writes to what a worker must not change (sweeps, datasets, trial rows, the migrations)', async () => {
    const { sweep, trials } = await seedSweep(owner.stores, { trials: 1, spec: simulatedSpec() });
    const content = Buffer.from('x\n');
    const dataset = await owner.stores.datasets.insert({
      name: 'kept',
      format: 'csv',
      columns: [],
      rowCount: 0,
      content,
      sizeBytes: content.length,
      sha256: '1'.repeat(64),
    });
    const refused: Record<string, () => Promise<unknown>> = {
      'INSERT INTO sweeps': () => workerStores.sweeps.insert({ name: 'not mine', spec: sweep.spec, seed: 1, plannedTrials: 1, idempotencyKey: null }),
      'UPDATE sweeps': () => workerStores.sweeps.moveTo(sweep.id, 'paused'),
      'DELETE FROM datasets': () => workerStores.datasets.delete(dataset.id),
      'INSERT INTO trials': () => workerStores.trials.insertMany(sweep.id, [{ number: 99, seed: 1, config: {} as never }]),
      'DELETE FROM trials': () => worker.query(`DELETE FROM trials WHERE id = $1`, [trials[0].id]),
      'DELETE FROM metric_points': () => worker.query(`DELETE FROM metric_points`),
      'TRUNCATE checkpoints': () => worker.query(`TRUNCATE checkpoints`),
      'SELECT typeorm_migrations': () => worker.query(`SELECT * FROM typeorm_migrations`),
      'CREATE TABLE': () => worker.query(`CREATE TABLE worker_made (id int)`),
      'ALTER TABLE': () => worker.query(`ALTER TABLE trials ADD COLUMN worker_made int`),
      'CREATE INDEX': () => worker.query(`CREATE INDEX worker_made ON metric_points (value)`),
      'DROP TABLE': () => worker.query(`DROP TABLE checkpoints`),
    };
    for (const [statement, attempt] of Object.entries(refused)) {
      const error = await rejection(attempt());
      assert.equal(error.code, INSUFFICIENT_PRIVILEGE, `${statement}: ${error.message}`);
    }
    assert.equal((await owner.stores.sweeps.find(sweep.id))?.status, 'running');
    assert.ok(await owner.stores.datasets.find(dataset.id));
  });

  it("has no privilege on any other table: the migrations', authentication's (users, tokens, projects, sessions) and one added after it ran", async () => {
    await owner.dataSource.query(`CREATE TABLE audit_events_added_later (id int)`);
    const tables: { name: string }[] = await owner.dataSource.query(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    const others = tables.map((t) => t.name).filter((name) => !(name in WORKER_PRIVILEGES));
    for (const expected of ['typeorm_migrations', 'users', 'api_tokens', 'projects', 'project_members', 'sessions', 'audit_events_added_later']) {
      assert.ok(others.includes(expected), `the schema has ${expected}`);
    }
    for (const table of others) {
      const [held] = await owner.dataSource.query(
        `SELECT bool_or(has_table_privilege($1, format('%I', $2::text), p)) AS any FROM unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES','TRIGGER']) AS p`,
        [role, table],
      );
      assert.equal(held.any, false, `${role} holds a privilege on ${table}`);
    }
    for (const statement of [`SELECT * FROM users`, `SELECT * FROM api_tokens`, `DELETE FROM sessions`, `INSERT INTO audit_events_added_later VALUES (1)`]) {
      const error = await rejection(worker.query(statement));
      assert.equal(error.code, INSUFFICIENT_PRIVILEGE, `${statement}: ${error.message}`);
    }
  });

  it('is enough for a worker process: it starts, turns ready, trains trials with rung decisions and checkpoints, and stops', async () => {
    const queue = new TrialQueue('k8s-worker-role');
    const spec = simulatedSpec({
      budget: { maxTrials: 3, maxConcurrent: 3, maxEpochsPerTrial: 6 },
      checkpointEvery: 2,
      earlyStopping: { type: 'asha', minEpochs: 1, reductionFactor: 3 },
    });
    const { trials } = await seedSweep(owner.stores, { trials: 3, spec });
    const port = await freePort();
    const workerProcess = new AppProcess('apps/worker/src/main.ts', {
      DATABASE_URL: workerUrl,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: queue.prefix,
      TF_BACKEND: 'cpu',
      WORKER_ID: 'role-process-worker',
      WORKER_CONCURRENCY: '3',
      WORKER_HEALTH_PORT: String(port),
      METRICS_FLUSH_MS: '20',
    });
    try {
      await waitFor('the worker is ready', async () => {
        if (!workerProcess.running) throw new Error(`the worker exited:\n${workerProcess.output}`);
        return (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.status === 200;
      });
      for (const trial of trials) await queue.enqueue(trial);
      const ended = await waitFor(
        'every trial ends',
        async () => {
          if (/permission denied/i.test(workerProcess.output)) throw new Error(`the worker was refused a statement:\n${workerProcess.output}`);
          const rows = await Promise.all(trials.map((trial) => owner.stores.trialReads.find(trial.id)));
          return rows.every((row) => row && ['completed', 'pruned', 'failed'].includes(row.status)) ? rows : undefined;
        },
        30_000,
      );
      for (const row of ended) {
        assert.ok(
          row && ['completed', 'pruned'].includes(row.status),
          `trial ${row?.number} ended ${row?.status}: ${row?.statusReason}\n${workerProcess.output}`,
        );
        assert.ok((await owner.stores.trialReads.checkpointList(row.id)).length > 0, `trial ${row.number} has a checkpoint`);
        assert.ok((await owner.stores.trialReads.metricPoints(row.id, ['val_loss'])).length > 0, `trial ${row.number} has metrics`);
      }
      workerProcess.child.kill('SIGTERM');
      assert.deepEqual(await workerProcess.exit(), { code: 0, signal: null }, workerProcess.output);
      const registered = (await owner.stores.workers.list({ liveOnly: false })).find((w) => w.id === 'role-process-worker');
      assert.ok(registered?.stoppedAt, 'the worker registered and marked itself stopped');
      assert.doesNotMatch(workerProcess.output, /permission denied/i);
    } finally {
      await workerProcess.stop();
      await queue.close();
    }
  });
});
