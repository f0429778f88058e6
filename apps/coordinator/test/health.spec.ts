import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aSweepSpec } from './support/sweep-specs';
import { freePort, PrivatePostgres, PrivateRedis, scrapeMetrics } from '@tuneforge/testing';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('health and metrics when dependencies go down and come back', () => {
  let redis: PrivateRedis;
  let postgres: PrivatePostgres;
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;

  before(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    postgres = new PrivatePostgres(await freePort());
    postgres.init();
    postgres.start();
    coordinator = await startTestCoordinator('health', { redisUrl: redis.url }, postgres.serverUrl);
    api = apiClient(coordinator.baseUrl);
  });
  after(async () => {
    await coordinator?.close();
    await redis.stop();
    postgres.destroy();
  });

  it('is 200 with both dependencies up', async () => {
    const { status, body } = await api.get('/api/v1/health');
    assert.equal(status, 200);
    assert.equal(body.checks.postgres.status, 'up');
    assert.equal(body.checks.redis.status, 'up');
  });

  it('is 503 naming Redis while Redis is down, refuses new sweeps without writing, and recovers', async () => {
    await redis.stop();
    const down = await api.get('/api/v1/health');
    assert.equal(down.status, 503);
    assert.equal(down.body.checks.redis.status, 'down');
    assert.equal(down.body.checks.postgres.status, 'up');
    assert.equal((await api.get('/api/v1/health/live')).status, 200, 'liveness does not depend on Redis');
    const metrics = await scrapeMetrics(`${coordinator.baseUrl}/metrics`);
    assert.equal(metrics.value('tuneforge_scrape_source_up', { source: 'redis' }), 0, 'a scrape still answers, saying Redis is down');
    assert.equal(metrics.series('tuneforge_trial_queue_jobs').length, 0, 'and leaves the queue depth out');
    assert.equal(metrics.value('tuneforge_scrape_source_up', { source: 'postgresql' }), 1);

    const refused = await api.post('/api/v1/sweeps', aSweepSpec());
    assert.equal(refused.status, 503);
    assert.match(refused.body.message, /Redis/);
    assert.equal(refused.body.code, 'QUEUE_UNAVAILABLE');
    assert.equal((await api.get('/api/v1/sweeps')).body.total, 0);

    await redis.start();
    await eventually(async () => (await api.get('/api/v1/health')).status === 200, 'health is 200 again');
    assert.equal((await api.post('/api/v1/sweeps', aSweepSpec())).status, 201);
  });

  it('is 503 naming PostgreSQL while PostgreSQL is down, answers reads with 503, and recovers', async () => {
    postgres.stop();
    const down = await api.get('/api/v1/health');
    assert.equal(down.status, 503);
    assert.equal(down.body.checks.postgres.status, 'down');
    assert.equal(down.body.checks.redis.status, 'up');
    const read = await api.get('/api/v1/sweeps');
    assert.equal(read.status, 503);
    assert.match(read.body.message, /PostgreSQL is unavailable/);
    assert.equal(read.body.code, 'DATABASE_UNAVAILABLE');
    const metrics = await scrapeMetrics(`${coordinator.baseUrl}/metrics`);
    assert.equal(metrics.value('tuneforge_scrape_source_up', { source: 'postgresql' }), 0, 'a scrape still answers, saying PostgreSQL is down');
    assert.deepEqual([metrics.series('tuneforge_trials').length, metrics.series('tuneforge_sweeps').length, metrics.series('tuneforge_trials_stranded').length], [0, 0, 0]);
    assert.equal(metrics.value('tuneforge_http_requests_total', { method: 'GET', route: '/api/v1/sweeps', status: '503' }), 1, 'the 503 it answered is counted');

    postgres.start();
    await eventually(async () => (await api.get('/api/v1/health')).status === 200, 'health is 200 again');
    assert.equal((await api.get('/api/v1/sweeps')).body.total, 1);
    const back = await scrapeMetrics(`${coordinator.baseUrl}/metrics`);
    assert.equal(back.value('tuneforge_scrape_source_up', { source: 'postgresql' }), 1);
    assert.equal(back.value('tuneforge_sweeps', { status: 'running' }), 1);
  });
});
