import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { SweepDto, TrialDto } from '@tuneforge/contracts';
import { freePort, PrivateRedis } from '../../coordinator/test/support/private-services';
import { apiClient, startTestCoordinator, type TestCoordinator } from '../../coordinator/test/support/test-coordinator';
import { aSweepSpec } from '../../coordinator/test/support/sweep-specs';
import { AppProcess, waitFor } from '../../../test/support/processes';

interface Probe {
  status: number;
  body: { status?: string; message?: string; checks?: Record<string, { status: string; error?: string }> };
}

async function probe(port: number, path: string, method = 'GET'): Promise<Probe> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: response.status, body: (await response.json()) as Probe['body'] };
}

/** A worker process (its real entry point) with its probe endpoints on a port of the test's choosing. */
async function startWorker(coordinator: TestCoordinator, env: Record<string, string> = {}): Promise<{ worker: AppProcess; port: number }> {
  const port = await freePort();
  const worker = new AppProcess('apps/worker/src/main.ts', {
    DATABASE_URL: coordinator.config.databaseUrl,
    REDIS_URL: coordinator.config.redisUrl,
    QUEUE_PREFIX: coordinator.config.queuePrefix,
    TF_BACKEND: 'cpu',
    WORKER_HEALTH_PORT: String(port),
    ...env,
  });
  await waitFor('the worker answers /livez', async () => {
    if (!worker.running) throw new Error(`the worker exited:\n${worker.output}`);
    return (await probe(port, '/livez')).status === 200;
  });
  return { worker, port };
}

describe('worker probe endpoints (real worker process, PostgreSQL and Redis)', () => {
  let redis: PrivateRedis;
  let coordinator: TestCoordinator;
  const workers: AppProcess[] = [];

  before(async () => {
    // A Redis of the test's own, so that one test can stop it.
    redis = new PrivateRedis(await freePort());
    await redis.start();
    coordinator = await startTestCoordinator('worker-health', { redisUrl: redis.url, dispatchIntervalMs: 500 });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGKILL')));
  });
  after(async () => {
    await coordinator?.close();
    await redis?.stop();
  });

  it('is live and ready with PostgreSQL, Redis and the processor up; names unknown routes and methods', async () => {
    const { worker, port } = await startWorker(coordinator);
    workers.push(worker);
    const ready = await waitFor('the worker is ready', async () => {
      const answer = await probe(port, '/readyz');
      return answer.status === 200 ? answer : undefined;
    });
    assert.deepEqual(ready.body, { status: 'ok', checks: { postgres: { status: 'up' }, redis: { status: 'up' }, processor: { status: 'up' } } });
    assert.deepEqual(await probe(port, '/livez'), { status: 200, body: { status: 'ok' } });

    const unknown = await probe(port, '/metrics');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.message ?? '', /GET \/livez and GET \/readyz/);
    const post = await probe(port, '/readyz', 'POST');
    assert.equal(post.status, 405);
    assert.match(post.body.message ?? '', /POST is not allowed/);
  });

  it('is not ready while Redis is down, stays live, and is ready again once Redis is back', async () => {
    const { worker, port } = await startWorker(coordinator);
    workers.push(worker);
    await waitFor('the worker is ready', async () => (await probe(port, '/readyz')).status === 200);

    await redis.stop();
    try {
      const down = await waitFor('readiness reports Redis down', async () => {
        const answer = await probe(port, '/readyz');
        return answer.status === 503 ? answer : undefined;
      });
      assert.equal(down.body.status, 'unavailable');
      assert.equal(down.body.checks?.redis.status, 'down');
      assert.equal(down.body.checks?.postgres.status, 'up');
      assert.equal((await probe(port, '/livez')).status, 200);
    } finally {
      await redis.start();
    }
    await waitFor('the worker is ready again', async () => (await probe(port, '/readyz')).status === 200, 30_000);
    assert.ok(worker.running, 'the worker kept running while Redis was down');
  });

  it('on SIGTERM turns not ready at once, and exits after WORKER_STOP_TIMEOUT_MS when an epoch outlasts it', async () => {
    // One simulated epoch takes 60 s, far beyond the 1.5 s stop timeout: only the timeout can end the worker.
    const { worker, port } = await startWorker(coordinator, { SIMULATED_EPOCH_MS: '60000', WORKER_STOP_TIMEOUT_MS: '1500' });
    workers.push(worker);
    const api = apiClient(coordinator.baseUrl);
    const created = await api.post<SweepDto>(
      '/api/v1/sweeps',
      aSweepSpec({ name: 'stop-timeout', model: 'simulated', budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 3 } }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await waitFor('the trial runs on the worker', async () => {
      const trials = await api.get<{ items: TrialDto[] }>(`/api/v1/sweeps/${created.body.id}/trials`);
      return trials.body.items.some((trial) => trial.status === 'running');
    });

    const signalledAt = Date.now();
    worker.child.kill('SIGTERM');
    const stopping = await waitFor('readiness reports stopping', async () => {
      const answer = await probe(port, '/readyz');
      return answer.status === 503 ? answer : undefined;
    });
    assert.equal(stopping.body.status, 'stopping');
    assert.equal((await probe(port, '/livez')).status, 200, 'live while handing back');

    const { code } = await worker.exit();
    const stoppedAfterMs = Date.now() - signalledAt;
    assert.equal(code, 1);
    assert.ok(stoppedAfterMs >= 1_400 && stoppedAfterMs < 15_000, `exited ${stoppedAfterMs} ms after SIGTERM`);
    assert.match(worker.output, /trials still running 1500 ms after SIGTERM: exiting/);
  });
});
