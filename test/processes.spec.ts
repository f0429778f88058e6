import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { TRIALS_QUEUE } from '@tuneforge/contracts';
import { adminFetch, createTestDatabase, TEST_ADMIN_TOKEN, freePort, uniqueQueuePrefix, type TestDatabase } from '@tuneforge/testing';

const ROOT = join(__dirname, '..');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function run(entry: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['-r', './tools/register.js', entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return { child, output: () => output };
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = await once(child, 'exit');
  return code as number | null;
}

describe('the coordinator and worker processes', () => {
  let database: TestDatabase;
  const queuePrefix = uniqueQueuePrefix('processes');

  before(async () => {
    database = await createTestDatabase('processes');
  });
  after(async () => {
    const queue = new Queue(TRIALS_QUEUE, { connection: { url: REDIS_URL }, prefix: queuePrefix });
    await queue.obliterate({ force: true });
    await queue.close();
    await database.drop();
  });

  it('the coordinator migrates, serves the example sweep, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { child, output } = run('apps/coordinator/src/main.ts', { PORT: String(port), DATABASE_URL: database.url, REDIS_URL, QUEUE_PREFIX: queuePrefix, TUNEFORGE_ADMIN_TOKEN: TEST_ADMIN_TOKEN });
    const api = `http://127.0.0.1:${port}/api/v1`;
    let healthy = false;
    for (let i = 0; i < 200 && !healthy && child.exitCode === null; i++) {
      healthy = await adminFetch(`${api}/health`).then((r) => r.ok, () => false);
      if (!healthy) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(healthy, `coordinator did not become healthy:\n${output()}`);

    const response = await adminFetch(`${api}/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: readFileSync(join(ROOT, 'examples/births-lstm.yaml'), 'utf8'),
    });
    assert.equal(response.status, 201);
    const sweep = (await response.json()) as { id: string };
    const queue = new Queue(TRIALS_QUEUE, { connection: { url: REDIS_URL }, prefix: queuePrefix });
    assert.equal(await queue.getWaitingCount(), 2);
    await queue.close();

    child.kill('SIGTERM');
    const [code, signal] = await once(child, 'exit');
    // Nest closes the app on SIGTERM (queues, pools), then re-raises the signal.
    assert.ok(code === 0 || signal === 'SIGTERM', `exit ${code} ${signal}:\n${output()}`);
    assert.doesNotMatch(output(), /ERROR/);
    assert.match(output(), new RegExp(`sweep ${sweep.id} 'births-lstm': 10 trials planned, 2 queued`));
  });

  it('the coordinator refuses a bad environment, naming the variable', async () => {
    const { child, output } = run('apps/coordinator/src/main.ts', { PORT: 'eighty', DATABASE_URL: database.url });
    assert.equal(await exitCode(child), 1);
    assert.match(output(), /invalid coordinator environment: PORT: /);
  });

  it('the worker refuses a bad environment, naming the variable', async () => {
    const { child, output } = run('apps/worker/src/main.ts', { DATABASE_URL: database.url, WORKER_CONCURRENCY: '0' });
    assert.equal(await exitCode(child), 1);
    assert.match(output(), /invalid worker environment: WORKER_CONCURRENCY: /);
  });
});
