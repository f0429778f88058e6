import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { SweepDto, TrialDto } from '@tuneforge/contracts';
import { AppProcess, freePort, waitFor } from '@tuneforge/testing';
import { aSweepSpec } from '../../../apps/coordinator/test/support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from '../../../apps/coordinator/test/support/test-coordinator';

async function readiness(port: number): Promise<{ status: number; body: { status: string } }> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string } };
}

// What Kubernetes relies on when it stops a worker pod: readiness drops at SIGTERM, liveness holds
// while trials are handed back, and WORKER_STOP_TIMEOUT_MS (below terminationGracePeriodSeconds) ends it.
describe('worker pod termination (real worker process and coordinator)', () => {
  let coordinator: TestCoordinator;
  const workers: AppProcess[] = [];

  before(async () => {
    coordinator = await startTestCoordinator('k8s-shutdown', { dispatchIntervalMs: 500 });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGKILL')));
  });
  after(() => coordinator?.close());

  it('on SIGTERM turns not ready at once, stays live, and exits after WORKER_STOP_TIMEOUT_MS when an epoch outlasts it', async () => {
    const port = await freePort();
    // One simulated epoch takes 60 s, far beyond the 1.5 s stop timeout: only the timeout can end the worker.
    const worker = new AppProcess('apps/worker/src/main.ts', {
      DATABASE_URL: coordinator.config.databaseUrl,
      REDIS_URL: coordinator.config.redisUrl,
      QUEUE_PREFIX: coordinator.config.queuePrefix,
      TF_BACKEND: 'cpu',
      WORKER_HEALTH_PORT: String(port),
      SIMULATED_EPOCH_MS: '60000',
      WORKER_STOP_TIMEOUT_MS: '1500',
    });
    workers.push(worker);
    await waitFor('the worker is ready', async () => {
      if (!worker.running) throw new Error(`the worker exited:\n${worker.output}`);
      return (await readiness(port)).status === 200;
    });
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
      const answer = await readiness(port);
      return answer.status === 503 ? answer : undefined;
    });
    assert.equal(stopping.body.status, 'stopping');
    assert.equal((await fetch(`http://127.0.0.1:${port}/livez`)).status, 200, 'live while handing back');

    const { code } = await worker.exit();
    const stoppedAfterMs = Date.now() - signalledAt;
    assert.equal(code, 1);
    assert.ok(stoppedAfterMs >= 1_400 && stoppedAfterMs < 15_000, `exited ${stoppedAfterMs} ms after SIGTERM`);
    assert.match(worker.output, /still stopping 1500 ms after SIGTERM \(WORKER_STOP_TIMEOUT_MS\): exiting/);
  });
});
