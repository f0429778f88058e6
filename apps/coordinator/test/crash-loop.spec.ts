import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'bullmq';
import { TRIALS_QUEUE, type SweepDto } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { trialsOfSweep, waitFor } from '@tuneforge/testing';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

/**
 * A trial whose workers keep dying under it ends `failed` saying so, and a sweep of only that trial ends `failed`
 * with it as the reason. The workers here die the way BullMQ sees it: they take the job and never renew its lock.
 * (The reconciler's way, a running trial lost TRIAL_MAX_ATTEMPTS times, is in trial-reconciler.spec.ts.)
 */
describe('crash-looped trials', () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let stores: Stores;

  before(async () => {
    coordinator = await startTestCoordinator('crash_loop');
    api = apiClient(coordinator.baseUrl);
    stores = coordinator.app.get(Stores);
  });
  after(() => coordinator.close());

  it('says "the worker died N times running this trial" for a job BullMQ failed as stalled too often', async () => {
    const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'crash-loop', model: 'simulated', budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 1 } }));
    const [trial] = await trialsOfSweep(stores, sweep.id);
    // Takes the job and hangs without renewing its lock, each time: to BullMQ, a worker that died running it.
    const dying = new Worker(TRIALS_QUEUE, () => new Promise(() => undefined), {
      connection: { url: coordinator.config.redisUrl },
      prefix: coordinator.config.queuePrefix,
      concurrency: 4,
      skipLockRenewal: true,
      lockDuration: 400,
      stalledInterval: 300,
      maxStalledCount: 1,
    });
    try {
      const failed = await waitFor('the trial ends failed', async () => {
        const row = await stores.trialReads.find(trial.id);
        return row?.status === 'failed' ? row : undefined;
      }, 30_000);
      assert.match(failed.statusReason ?? '', /^the worker died 2 times running this trial \(its job stalled more often than the queue allows/);
    } finally {
      await dying.close(true);
    }
    const ended = await waitFor('the sweep ends', async () => {
      const { body } = await api.get<SweepDto>(`/api/v1/sweeps/${sweep.id}`);
      return body.status === 'running' ? undefined : body;
    });
    assert.equal(ended.status, 'failed');
    assert.match(ended.statusReason ?? '', /^its only trial failed \(trial 0: the worker died 2 times running this trial/);
  });
});
