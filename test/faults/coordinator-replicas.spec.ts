import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { FINISHED_TRIAL_STATUSES, TRIALS_QUEUE, type HealthDto, type SweepDto, type SweepSpecInput } from '@tuneforge/contracts';
import { dropDatabase, MIGRATIONS } from '@tuneforge/persistence';
import { adminFetch, AppProcess, freePort, waitFor } from '@tuneforge/testing';
import { SseReader } from '../../apps/coordinator/test/support/sse-reader';
import { FaultStack } from './support/fault-stack';
import { assertSweepInvariants, peakConcurrentTrials } from './support/invariants';

interface Replica {
  process: AppProcess;
  api: string;
}

const health = async ({ api }: Replica) => (await (await fetch(`${api}/health`)).json()) as HealthDto;
const leaders = async (replicas: readonly Replica[]) => Promise.all(replicas.map(async (r) => (await health(r)).leader));

/**
 * Two coordinator processes on one database and one queue, with workers, on a private PostgreSQL and
 * Redis: any replica answers any request and streams every change; one leads the reconcile pass, and
 * when it is killed the other takes the pass over; budgets stay exact and nothing is left stuck.
 */
describe('several coordinators on one database and queue', () => {
  let stack: FaultStack;
  let a: Replica;
  let b: Replica;
  let queue: Queue;
  const readers: SseReader[] = [];

  before(async () => {
    stack = await FaultStack.start('replicas', { coordinatorEnv: { STRANDED_AFTER_MS: '2000', EVENTS_POLL_MS: '200' } });
    a = { process: stack.coordinator, api: stack.api };
    await waitFor('the first coordinator leads', async () => (await health(a)).leader);
    b = await stack.startReplica();
    queue = new Queue(TRIALS_QUEUE, { connection: { url: stack.redis.url }, prefix: stack.baseEnv().QUEUE_PREFIX });
  });
  after(async () => {
    for (const reader of readers) reader.close();
    await queue?.close();
    await stack?.close();
  });

  it('takes requests on both replicas, streams on B what changes through A, and survives kill -9 of the leader mid-sweep with an exact budget and nothing stuck', async () => {
    assert.deepEqual(await leaders([a, b]), [true, false], 'the first to start leads, the other follows');
    const stream = await SseReader.open(`${b.api}/events`);
    readers.push(stream);
    await stream.next((m) => m.event === 'hello');
    await new Promise((resolve) => setTimeout(resolve, 500)); // B's feed takes its baseline

    // Three worker slots for four concurrent trials: one trial always waits in the queue.
    stack.startWorker('w1', { WORKER_CONCURRENCY: '2', SIMULATED_EPOCH_MS: '200' });
    stack.startWorker('w2', { WORKER_CONCURRENCY: '1', SIMULATED_EPOCH_MS: '200' });
    await stack.waitForWorkers('w1', 'w2');
    const spec: SweepSpecInput = {
      name: 'replicas',
      dataset: { source: 'builtin', name: 'us-births-1969-1988', window: 14, horizon: 1 },
      model: 'simulated',
      objective: { metric: 'val_loss', direction: 'minimize' },
      searchSpace: { hiddenUnits: { type: 'int', min: 8, max: 256, log: true }, learningRate: { type: 'float', min: 0.0001, max: 0.1, log: true } },
      algorithm: { type: 'random' },
      budget: { maxTrials: 10, maxConcurrent: 4, maxEpochsPerTrial: 5 },
      checkpointEvery: 2,
      seed: 16,
    };
    const created = await adminFetch(`${a.api}/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    assert.equal(created.status, 201, await created.clone().text());
    const sweep = (await created.json()) as SweepDto;

    const readOnB = await adminFetch(`${b.api}/sweeps/${sweep.id}`);
    assert.equal(readOnB.status, 200);
    assert.equal(((await readOnB.json()) as SweepDto).id, sweep.id, 'B reads the sweep A created');
    await stream.next((m) => m.event === 'sweep' && m.data.sweepId === sweep.id && m.data.status === 'running');
    await stream.next((m) => m.event === 'trial' && m.data.sweepId === sweep.id);

    const patched = await adminFetch(`${b.api}/sweeps/${sweep.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ maxTrials: 14 }) });
    assert.equal(patched.status, 200, await patched.clone().text());
    assert.equal(((await patched.json()) as SweepDto).plannedTrials, 14);
    await stream.next((m) => m.event === 'sweep' && m.data.sweepId === sweep.id && m.data.plannedTrials === 14);
    const onA = (await (await adminFetch(`${a.api}/sweeps/${sweep.id}`)).json()) as SweepDto;
    assert.equal(onA.spec.budget.maxTrials, 14, 'A reads the change made through B');

    await waitFor('three trials have ended', async () => (await stack.trials(sweep.id)).filter((t) => t.status === 'completed').length >= 3, 60_000, 50);
    await a.process.stop('SIGKILL');

    // A job lost from the queue (as Redis losing it would) is repaired by the reconcile pass only: the sweep can only
    // complete if B, the survivor, took the pass over.
    const lostTrialId = await waitFor(
      'a waiting job is removed from the queue',
      async () => {
        for (const job of await queue.getWaiting()) if (job.id && (await queue.remove(job.id)) === 1) return job.id;
        return undefined;
      },
      20_000,
      20,
    );
    await waitFor('B leads', async () => (await health(b)).leader, 20_000);
    assert.match(b.process.output, /this replica now leads/);

    stack.useCoordinator(b);
    await stack.waitForSweep(sweep.id, 90_000);
    const { trials } = await assertSweepInvariants(stack, sweep.id);
    assert.equal(trials.length, 14, 'exactly the raised maxTrials');
    for (const trial of trials) {
      const ends = trial.events.filter((e) => (FINISHED_TRIAL_STATUSES as readonly string[]).includes(e.type));
      assert.equal(ends.length, 1, `trial #${trial.number} ended once: ${JSON.stringify(trial.events.map((e) => e.type))}`);
    }
    const lost = trials.find((t) => t.id === lostTrialId);
    assert.ok(lost?.events.some((e) => e.type === 'requeued' && /job was lost from the queue/.test(e.message)), `B's pass gave trial ${lostTrialId} a new job`);

    const peak = await peakConcurrentTrials(stack, sweep.id);
    assert.ok(peak <= 4, `at most maxConcurrent (4) trials ran at once; ${peak} did`);
    const jobs = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed');
    assert.deepEqual(Object.values(jobs), [0, 0, 0, 0, 0, 0], `no job left behind: ${JSON.stringify(jobs)}`);
    const survivor = await health(b);
    assert.deepEqual([survivor.status, survivor.checks.trials.stranded, survivor.leader], ['ok', 0, true], JSON.stringify(survivor));
    await stream.next((m) => m.event === 'sweep' && m.data.sweepId === sweep.id && m.data.status === 'completed');
    assert.ok(!stream.ended, "B's stream outlived A");
  });

  it('brings up two coordinators started at once on a new database: migrations applied once, one administrator, one leader', async () => {
    const url = `${stack.postgres.serverUrl}/tf_test_replicas_fresh_${randomBytes(4).toString('hex')}`;
    const replicas: Replica[] = [];
    try {
      const starting = await Promise.all(
        [1, 2].map(async () => {
          const port = await freePort();
          const env = { ...stack.baseEnv(), DATABASE_URL: url, QUEUE_PREFIX: `tf-replicas-fresh`, TUNEFORGE_ADMIN_TOKEN: undefined, PORT: String(port), HOST: '127.0.0.1', NO_COLOR: '1' };
          return { process: new AppProcess('apps/coordinator/src/main.ts', env), api: `http://127.0.0.1:${port}/api/v1` };
        }),
      );
      replicas.push(...starting);
      const outcome = await waitFor(
        'both coordinators are healthy, or one exited',
        async () => {
          if (replicas.some((r) => !r.process.running)) return 'exited';
          return (await Promise.all(replicas.map(async (r) => (await fetch(`${r.api}/health`)).ok))).every(Boolean) && 'healthy';
        },
        60_000,
      );
      assert.equal(outcome, 'healthy', replicas.map((r) => r.process.output.slice(-3_000)).join('\n---\n'));

      const outputs = replicas.map((r) => r.process.output);
      assert.equal(outputs.filter((o) => /applied migrations: /.test(o)).length, 1, outputs.join('\n---\n'));
      const tokens = outputs.flatMap((o) => o.match(/tf_[a-z0-9]{10}_[A-Za-z0-9_-]{43}/g) ?? []);
      assert.equal(tokens.length, 1, 'one administrator token printed, by one of them');
      const db = new Client({ connectionString: url });
      await db.connect();
      try {
        const { rows } = await db.query<{ name: string; n: number }>(`SELECT name, count(*)::int AS n FROM typeorm_migrations GROUP BY name`);
        assert.deepEqual(rows.map((r) => r.n), MIGRATIONS.map(() => 1), 'each migration recorded once');
        assert.equal((await db.query(`SELECT count(*)::int AS n FROM users`)).rows[0].n, 1, 'one administrator');
      } finally {
        await db.end();
      }
      for (const r of replicas) {
        const me = await fetch(`${r.api}/me`, { headers: { authorization: `Bearer ${tokens[0]}` } });
        assert.equal(me.status, 200, 'the printed token works on both');
      }
      await waitFor('exactly one of them leads', async () => (await leaders(replicas)).filter(Boolean).length === 1, 20_000);
    } finally {
      await Promise.all(replicas.map((r) => r.process.stop('SIGKILL')));
      await dropDatabase(url);
    }
  });
});
