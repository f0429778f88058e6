import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aSweepSpec } from './support/sweep-specs';
import { freePort, PrivatePostgres, PrivateRedis } from '@tuneforge/testing';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('health when dependencies go down and come back', () => {
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

    postgres.start();
    await eventually(async () => (await api.get('/api/v1/health')).status === 200, 'health is 200 again');
    assert.equal((await api.get('/api/v1/sweeps')).body.total, 1);
  });
});
