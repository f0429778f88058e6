import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'bullmq';
import { JobName, TRIALS_QUEUE, type JobOf, type SweepDto, type SweepSpec, type SweepSpecInput, type TrialJobResult } from '@tuneforge/contracts';
import { CheckpointEntity, Stores, SweepEntity, type TrialRef } from '@tuneforge/persistence';
import { adminFetch, seedRun, trialsOfSweep, waitFor } from '@tuneforge/testing';
import { CheckpointRetention, RETENTION_INTERVAL_MS } from '../src/sweeps/checkpoint-retention.service';
import { SweepScheduler } from '../src/sweeps/sweep-scheduler.service';
import { aSweepSpec } from './support/sweep-specs';
import { startTestCoordinator, TEST_REDIS_URL, type TestCoordinator } from './support/test-coordinator';

const BYTES = Buffer.alloc(64, 1);

describe(CheckpointRetention.name, () => {
  let coordinator: TestCoordinator;
  let stores: Stores;
  let sut: CheckpointRetention;

  before(async () => {
    coordinator = await startTestCoordinator('retention');
    stores = coordinator.app.get(Stores);
    sut = coordinator.app.get(CheckpointRetention);
  });
  after(() => coordinator.close());

  const createSweep = async (overrides: Partial<SweepSpecInput>) => coordinator.client.createSweep({ body: aSweepSpec({ model: 'simulated', ...overrides }) });
  /** A run that checkpoints epoch 1 and, with a value, completes with it. */
  const run = (trial: TrialRef, bestMetric?: number) =>
    seedRun(stores, trial, { checkpoint: { epoch: 1, format: 'test', bytes: BYTES, bestMetric: bestMetric ?? 0.5, bestEpoch: 1 }, end: bestMetric === undefined ? undefined : { status: 'completed', bestMetric } });
  /** The numbers of the sweep's trials that still have checkpoints. */
  const withCheckpoints = async (sweepId: string) => {
    const kept = new Set((await stores.manager.find(CheckpointEntity, { select: ['trialId'] })).map((c) => c.trialId));
    return (await trialsOfSweep(stores, sweepId)).filter((t) => kept.has(t.id)).map((t) => t.number);
  };

  it("runs when a trial's job completes (through the queue's events), and leaves a running trial's checkpoints", async () => {
    const sweep = await createSweep({ name: 'by-events', budget: { maxTrials: 3, maxConcurrent: 3, maxEpochsPerTrial: 1 }, retention: { keepCheckpointsOfBest: 1 } });
    const trials = await trialsOfSweep(stores, sweep.id);
    const values = [0.3, 0.2];
    await run(trials[2]); // still running
    // A stand-in worker: each job records its trial's run (a checkpoint and its end) and returns, as TrialProcessor does.
    const worker = new Worker<JobOf<typeof JobName.TrainTrial>, TrialJobResult>(
      TRIALS_QUEUE,
      async (job) => {
        const trial = trials.find((t) => t.id === job.data.trialId);
        if (trial && trial.number < 2) await run(trial, values[trial.number]);
        return { outcome: 'completed', sweepId: job.data.sweepId };
      },
      { connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: null }, prefix: coordinator.config.queuePrefix },
    );
    try {
      // Trial 0 keeps its checkpoint until trial 1 beats it: wait for the state after both, not for any two trials.
      await waitFor('the pass after the jobs completed', async () => (await withCheckpoints(sweep.id)).join() === '1,2', 10_000, 100).catch(() => undefined);
      assert.deepEqual(await withCheckpoints(sweep.id), [1, 2], 'the best (0.2) and the running trial');
    } finally {
      await worker.close();
    }
  });

  it('coalesces the requests of a sweep into one pass within the interval', async () => {
    const sweep = await createSweep({ name: 'coalesced', budget: { maxTrials: 4, maxConcurrent: 4, maxEpochsPerTrial: 1 }, retention: { keepCheckpointsOfBest: 2 } });
    const trials = await trialsOfSweep(stores, sweep.id);
    for (const [i, trial] of trials.entries()) await run(trial, i / 10);
    const checkpoints = stores.checkpoints;
    const original = checkpoints.dropOutsideBest.bind(checkpoints);
    let passes = 0;
    // Passes of this sweep only: one the test before asked for may still run meanwhile.
    checkpoints.dropOutsideBest = (...args) => ((passes += args[0] === sweep.id ? 1 : 0), original(...args));
    try {
      const started = Date.now();
      for (let i = 0; i < 20; i++) sut.request(sweep.id);
      await waitFor('the pass', async () => (await withCheckpoints(sweep.id)).length === 2, 5_000, 50);
      assert.ok(Date.now() - started >= RETENTION_INTERVAL_MS - 50, 'it waits for the interval');
      await new Promise((resolve) => setTimeout(resolve, RETENTION_INTERVAL_MS + 200));
      assert.equal(passes, 1);
      assert.deepEqual(await withCheckpoints(sweep.id), [0, 1]);
    } finally {
      checkpoints.dropOutsideBest = original;
    }
  });

  it('runs at once when the sweep completes, and when it is cancelled', async () => {
    const completing = await createSweep({ name: 'completes', budget: { maxTrials: 3, maxConcurrent: 3, maxEpochsPerTrial: 1 }, retention: { keepCheckpointsOfBest: 1 } });
    for (const [i, trial] of (await trialsOfSweep(stores, completing.id)).entries()) await run(trial, 1 - i / 10);
    await coordinator.app.get(SweepScheduler).topUp(completing.id);
    assert.equal((await coordinator.client.getSweep({ id: completing.id })).status, 'completed');
    assert.deepEqual(await withCheckpoints(completing.id), [2]);

    const cancelled: SweepDto = await createSweep({ name: 'cancelled', budget: { maxTrials: 3, maxConcurrent: 3, maxEpochsPerTrial: 1 }, retention: { keepCheckpointsOfBest: 1 } });
    const trials = await trialsOfSweep(stores, cancelled.id);
    await run(trials[0], 0.4);
    await run(trials[1]);
    await run(trials[2]);
    await coordinator.client.cancelSweep({ id: cancelled.id });
    assert.deepEqual(await withCheckpoints(cancelled.id), [0], 'the cancelled trials were not scored');
  });

  it('refuses a retention that keeps no trial with a 400 naming the field, and creates nothing', async () => {
    const before = await stores.manager.count(SweepEntity);
    const response = await adminFetch(`${coordinator.baseUrl}/api/v1/sweeps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(aSweepSpec({ name: 'keeps-none', retention: { keepCheckpointsOfBest: 0 } })),
    });
    const body = (await response.json()) as { code: string; issues: { path: string; message: string }[] };
    assert.equal(response.status, 400);
    assert.equal(body.code, 'VALIDATION_FAILED');
    assert.deepEqual(body.issues.map((i) => i.path), ['retention.keepCheckpointsOfBest']);
    assert.equal(await stores.manager.count(SweepEntity), before);
  });

  it('gives a sweep stored without retention (before the field existed) the default of 10', async () => {
    const sweep = await createSweep({ name: 'old', budget: { maxTrials: 12, maxConcurrent: 12, maxEpochsPerTrial: 1 } });
    const stored = await stores.sweeps.find(sweep.id, ['spec']);
    assert.ok(stored);
    const { retention: _dropped, ...older } = stored.spec;
    await stores.sweeps.updateBudget(sweep.id, older as SweepSpec, 12);
    for (const [i, trial] of (await trialsOfSweep(stores, sweep.id)).entries()) await run(trial, i);
    await sut.pass(sweep.id);
    assert.deepEqual(await withCheckpoints(sweep.id), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
