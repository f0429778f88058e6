import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { AppProcess, createTestDatabase, freePort, PrivateRedis, scrapeMetrics, uniqueQueuePrefix, waitFor } from '@tuneforge/testing';

const METRICS_TOKEN = 'worker-metrics-token-0123456789';

interface Probe {
  status: number;
  body: { status?: string; message?: string; checks?: Record<string, { status: string; error?: string }> };
}

async function probe(port: number, path: string, method = 'GET'): Promise<Probe> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: response.status, body: (await response.json()) as Probe['body'] };
}

describe('worker probe endpoints (real worker process, PostgreSQL and Redis)', () => {
  let redis: PrivateRedis;
  let database: { url: string; drop(): Promise<void> };
  const workers: AppProcess[] = [];

  /** A worker with its probe endpoints on a port of the test's choosing, once /livez answers. */
  async function startWorker(): Promise<{ worker: AppProcess; port: number }> {
    const port = await freePort();
    const worker = new AppProcess('apps/worker/src/main.ts', {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: uniqueQueuePrefix('worker-health'),
      TF_BACKEND: 'cpu',
      WORKER_HEALTH_PORT: String(port),
      WORKER_CONCURRENCY: '3',
      METRICS_TOKEN,
    });
    workers.push(worker);
    await waitFor('the worker answers /livez', async () => {
      if (!worker.running) throw new Error(`the worker exited:\n${worker.output}`);
      return (await probe(port, '/livez')).status === 200;
    });
    return { worker, port };
  }

  before(async () => {
    // A Redis of the test's own, so that one test can stop it.
    redis = new PrivateRedis(await freePort());
    await redis.start();
    database = await createTestDatabase('worker_health');
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGKILL')));
  });
  after(async () => {
    await redis?.stop();
    await database?.drop();
  });

  it('is live and ready with PostgreSQL, Redis and the processor up; names unknown routes and methods', async () => {
    const { port } = await startWorker();
    const ready = await waitFor('the worker is ready', async () => {
      const answer = await probe(port, '/readyz');
      return answer.status === 200 ? answer : undefined;
    });
    assert.deepEqual(ready.body, { status: 'ok', checks: { postgres: { status: 'up' }, redis: { status: 'up' }, processor: { status: 'up' } } });
    assert.deepEqual(await probe(port, '/livez'), { status: 200, body: { status: 'ok' } });

    const unknown = await probe(port, '/nothing-here');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.message ?? '', /GET \/livez, GET \/readyz and GET \/metrics/);
    const post = await probe(port, '/readyz', 'POST');
    assert.equal(post.status, 405);
    assert.match(post.body.message ?? '', /POST is not allowed/);
  });

  it("serves its Prometheus series at GET /metrics, only with the METRICS_TOKEN bearer", async () => {
    const { port } = await startWorker();
    const metrics = await scrapeMetrics(`http://127.0.0.1:${port}/metrics`, METRICS_TOKEN);
    for (const [name, type] of [
      ['tuneforge_worker_running_trials', 'gauge'],
      ['tuneforge_worker_slots', 'gauge'],
      ['tuneforge_worker_epochs_total', 'counter'],
      ['tuneforge_worker_samples_total', 'counter'],
      ['tuneforge_worker_epoch_duration_seconds', 'histogram'],
      ['tuneforge_worker_engine_info', 'gauge'],
      ['nodejs_eventloop_lag_p99_seconds', 'gauge'],
      ['process_resident_memory_bytes', 'gauge'],
    ] as const) {
      assert.equal(metrics.families.get(name)?.type, type, name);
    }
    assert.equal(metrics.value('tuneforge_worker_running_trials'), 0);
    assert.equal(metrics.value('tuneforge_worker_slots'), 3);
    const [engine] = metrics.series('tuneforge_worker_engine_info');
    assert.equal(engine.value, 1);
    assert.match(engine.labels.engine, /^(native|tfjs)$/);
    assert.ok(engine.labels.backend, 'the engine names its backend');

    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${METRICS_TOKEN}`]) {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: authorization ? { authorization } : {} });
      assert.equal(response.status, 401, String(authorization));
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="tuneforge"');
      assert.match(((await response.json()) as { message: string }).message, /METRICS_TOKEN/);
    }
  });

  it('is not ready while Redis is down, stays live, and is ready again once Redis is back', async () => {
    const { worker, port } = await startWorker();
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
      assert.equal((await scrapeMetrics(`http://127.0.0.1:${port}/metrics`, METRICS_TOKEN)).value('tuneforge_worker_running_trials'), 0, 'metrics need no Redis');
    } finally {
      await redis.start();
    }
    await waitFor('the worker is ready again', async () => (await probe(port, '/readyz')).status === 200, 30_000);
    assert.ok(worker.running, 'the worker kept running while Redis was down');
  });
});
