import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SweepSpecInput } from '@tuneforge/contracts';
import { freePort, scrapeMetrics, waitFor, type PrometheusText } from '@tuneforge/testing';
import { E2eStack } from './support/e2e-stack';

const METRICS_TOKEN = 'e2e-metrics-token-0123456789';
const TRIALS = 6;
const EPOCHS = 5;

const simulatedSweep: SweepSpecInput = {
  name: 'metrics-e2e',
  dataset: { source: 'builtin', name: 'us-births-1969-1988', window: 14, horizon: 1 },
  model: 'simulated',
  objective: { metric: 'val_loss', direction: 'minimize' },
  searchSpace: { hiddenUnits: { type: 'int', min: 8, max: 64 }, learningRate: { type: 'float', min: 0.0001, max: 0.1, log: true } },
  algorithm: { type: 'random' },
  budget: { maxTrials: TRIALS, maxConcurrent: 2, maxEpochsPerTrial: EPOCHS },
  checkpointEvery: 2,
  seed: 3,
};

describe('Prometheus metrics through a simulated sweep (coordinator and worker processes)', () => {
  const stack = new E2eStack('metrics', { TF_BACKEND: 'cpu', METRICS_TOKEN });
  let workerPort: number;
  const coordinatorMetrics = () => scrapeMetrics(`${stack.origin}/metrics`, METRICS_TOKEN);
  const workerMetrics = () => scrapeMetrics(`http://127.0.0.1:${workerPort}/metrics`, METRICS_TOKEN);
  const trials = (m: PrometheusText, status: string) => m.value('tuneforge_trials', { status });
  const requests = (m: PrometheusText, labels: Record<string, string>) => m.sum('tuneforge_http_requests_total', labels);

  before(() => stack.start());
  after(() => stack.close());

  it('moves the named series as the sweep runs: requests, queue depth, trials by status, worker epochs', async () => {
    const start = await coordinatorMetrics();
    const sweep = await stack.submit(simulatedSweep);

    // No worker yet: the first trials wait in the queue.
    const queued = await waitFor('the first trials wait in the queue', async () => {
      const m = await coordinatorMetrics();
      return m.value('tuneforge_trial_queue_jobs', { state: 'waiting' }) === 2 ? m : undefined;
    });
    assert.equal(requests(queued, { method: 'POST', route: '/api/v1/sweeps', status: '201' }) - requests(start, { method: 'POST', route: '/api/v1/sweeps', status: '201' }), 1);
    assert.equal(trials(queued, 'queued'), 2);
    assert.equal(queued.value('tuneforge_sweeps', { status: 'running' }), 1);

    workerPort = await freePort();
    const worker = stack.startWorker('metrics-worker', { WORKER_CONCURRENCY: '2', SIMULATED_EPOCH_MS: '150', METRICS_FLUSH_MS: '50', WORKER_HEALTH_PORT: String(workerPort) });
    const training = await waitFor('the worker trains epochs', async () => {
      if (!worker.running) throw new Error(`the worker exited:\n${worker.output}`);
      const m = await workerMetrics();
      return m.value('tuneforge_worker_epochs_total', { model: 'simulated' }) > 0 ? m : undefined;
    });
    assert.ok(training.value('tuneforge_worker_running_trials') >= 1);
    const midway = await waitFor('a trial is running', async () => {
      const m = await coordinatorMetrics();
      return trials(m, 'running') >= 1 ? m : undefined;
    });
    assert.ok(midway.value('tuneforge_trial_queue_jobs', { state: 'active' }) >= 1);

    await stack.waitForSweep(sweep.id);
    const end = await waitFor('the worker counted every epoch', async () => {
      const m = await workerMetrics();
      return m.value('tuneforge_worker_epochs_total', { model: 'simulated' }) === TRIALS * EPOCHS ? m : undefined;
    });
    assert.equal(end.value('tuneforge_worker_running_trials'), 0);
    assert.equal(end.value('tuneforge_worker_epoch_duration_seconds_count', { model: 'simulated' }), TRIALS * EPOCHS);
    assert.ok(end.value('tuneforge_worker_epoch_duration_seconds_sum', { model: 'simulated' }) >= TRIALS * EPOCHS * 0.14, 'epochs of 150 ms');
    assert.equal(end.value('tuneforge_worker_samples_total', { model: 'simulated' }), 0);
    assert.equal(end.series('tuneforge_worker_engine_info').length, 1);
    assert.equal(end.value('tuneforge_worker_rung_values'), 0, 'no early stopping: no rungs followed');

    const done = await coordinatorMetrics();
    assert.equal(trials(done, 'completed'), TRIALS);
    assert.equal(trials(done, 'queued') + trials(done, 'running'), 0);
    assert.equal(done.value('tuneforge_sweeps', { status: 'completed' }), 1);
    assert.equal(done.value('tuneforge_sweeps', { status: 'running' }), 0);
    assert.equal(done.value('tuneforge_trial_queue_jobs', { state: 'waiting' }) + done.value('tuneforge_trial_queue_jobs', { state: 'active' }), 0);
    assert.equal(done.value('tuneforge_trials_stranded'), 0);
    assert.ok(done.value('tuneforge_top_up_duration_seconds_count') >= TRIALS - 2, 'each job completion tops the sweep up');
    assert.ok(requests(done, { method: 'GET', route: '/api/v1/sweeps/:id', status: '200' }) > requests(start, { method: 'GET', route: '/api/v1/sweeps/:id', status: '200' }));
  });

  it('refuses scrapes without the token on both', async () => {
    for (const url of [`${stack.origin}/metrics`, `http://127.0.0.1:${workerPort}/metrics`]) {
      assert.equal((await fetch(url)).status, 401, url);
      assert.equal((await fetch(url, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401, url);
    }
  });
});
