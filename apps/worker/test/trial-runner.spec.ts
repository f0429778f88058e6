import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { SweepSpecInput } from '@tuneforge/contracts';
import type { TrialRef } from '@tuneforge/persistence';
import { aParsedSweepSpec, cancelSweep, claimTrials, endTrials, PrometheusText, seedMetricPoints, seedSweep, TestStores, waitFor } from '@tuneforge/testing';
import { SimulatedSession } from '@tuneforge/training';
import { TrialRunner } from '../src/trial-runner.service';
import { TrialQueue, WorkerServices } from './support/worker-services';

/** TrialRunner's ATTEMPT_CHECK_MS: how often a run between checkpoints asks whether it may go on. */
const ATTEMPT_CHECK_MS = 1_000;

/** A simulated sweep (no training, a deterministic learning curve); pass what the test is about. */
const simulatedSpec = (overrides: Partial<SweepSpecInput>) =>
  aParsedSweepSpec({
    name: 'simulated',
    model: 'simulated',
    searchSpace: { hiddenUnits: { type: 'int', min: 16, max: 64 }, learningRate: { type: 'float', min: 0.001, max: 0.01, log: true } },
    ...overrides,
  });

describe(TrialRunner.name, () => {
  let db: TestStores;
  let queue: TrialQueue;
  const services: WorkerServices[] = [];

  /** A worker's services, each with its id; epochs take `epochMs`, metrics are flushed every 20 ms. */
  const aWorker = async (id: string, epochMs: number) => {
    const worker = await WorkerServices.create(db.stores, { WORKER_ID: id, METRICS_FLUSH_MS: '20', SIMULATED_EPOCH_MS: String(epochMs) });
    services.push(worker);
    return worker;
  };
  const trialOf = async (trial: TrialRef) => {
    const row = await db.stores.trialReads.find(trial.id);
    assert.ok(row, `trial ${trial.id} exists`);
    return row;
  };
  const epochsStored = async (trial: TrialRef) => (await db.stores.trialReads.metricPoints(trial.id, ['val_loss'])).map((p) => p.epoch);
  const lastEpochStored = async (trial: TrialRef) => Math.max(0, ...(await epochsStored(trial)));
  const checkpointEpochs = async (trial: TrialRef) => (await db.stores.trialReads.checkpointList(trial.id)).map((c) => c.epoch);
  /**
   * A long run on a worker of its own, once it has stored `epoch`: 20 ms epochs and a checkpoint every
   * 100 (2 s), so that between checkpoints only the periodic attempt check sees what happened to its trial.
   */
  const aLongRunPast = async (label: string, epoch: number) => {
    queue = new TrialQueue(`runner-${label}`);
    const spec = simulatedSpec({ budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 1_000 }, checkpointEvery: 100 });
    const { sweep, trials } = await seedSweep(db.stores, { trials: 1, spec });
    const worker = await aWorker(`${label}-worker`, 20);
    queue.process(worker.processor);
    await queue.enqueue(trials[0]);
    await waitFor(`the run has stored epoch ${epoch}`, async () => (await lastEpochStored(trials[0])) >= epoch, 15_000, 20);
    return { sweep, trial: trials[0], worker };
  };

  /** What the worker process does on SIGTERM (apps/worker/src/main.ts): running trials hand back after their epoch, no new job starts. */
  const stopAsOnSigterm = async (worker: WorkerServices, bullWorker: { pause(doNotWaitActive?: boolean): Promise<void> }) => {
    worker.runner.requestStop();
    await bullWorker.pause(true);
    await worker.runner.idle();
  };

  before(async () => {
    db = await TestStores.open('worker_runner');
  });
  afterEach(async () => {
    await queue?.close();
    await Promise.all(services.splice(0).map((s) => s.close()));
  });
  after(() => db?.close());

  it('hands a run back when asked to stop: it checkpoints its last epoch, its trial is queued again and its job waits; the next run resumes there', async () => {
    queue = new TrialQueue('runner-handback');
    const { trials } = await seedSweep(db.stores, { trials: 1, spec: simulatedSpec({ budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 30 }, checkpointEvery: 4 }) });
    const [trial] = trials;
    const stopping = await aWorker('stopping-worker', 30);
    const bullWorker = queue.process(stopping.processor);
    await queue.enqueue(trial);
    await waitFor('the run has stored epoch 5', async () => (await lastEpochStored(trial)) >= 5, 10_000, 20);

    await stopAsOnSigterm(stopping, bullWorker);

    const handedBack = await trialOf(trial);
    const epoch = handedBack.lastEpoch;
    assert.ok(epoch !== null && epoch >= 5 && epoch < 30, `stopped mid-run (epoch ${epoch})`);
    assert.equal(handedBack.status, 'queued');
    assert.deepEqual(
      handedBack.events.map((e) => e.type),
      ['started', 'handed-back'],
    );
    assert.equal(handedBack.events[1].message, `worker stopping-worker stopped after epoch ${epoch}; the trial goes back to the queue`);
    assert.equal((await checkpointEpochs(trial))[0], epoch, 'the epoch it stopped after is checkpointed, even between checkpointEvery epochs');
    assert.deepEqual(await epochsStored(trial), Array.from({ length: epoch }, (_, i) => i + 1), 'every epoch up to it has its metrics');
    assert.equal(await queue.queue.getJobState(trial.id), 'waiting', 'the job went back to the queue, not to completed or failed');

    await bullWorker.close();
    const next = await aWorker('next-worker', 0);
    queue.process(next.processor);
    assert.equal(await queue.outcomeOf(trial.id), 'completed');
    const resumed = await trialOf(trial);
    assert.deepEqual([resumed.status, resumed.attempts, resumed.lastEpoch, resumed.workerId], ['completed', 2, 30, 'next-worker']);
    assert.equal(resumed.events.find((e) => e.type === 'resumed')?.message, `resumed from the checkpoint of epoch ${epoch}`);
    assert.deepEqual(await epochsStored(trial), Array.from({ length: 30 }, (_, i) => i + 1));
  });

  it('hands over its best epoch: the checkpoint that scored bestMetric is kept beside the newest, across a hand-back and the resumed run', async () => {
    queue = new TrialQueue('runner-best');
    const spec = simulatedSpec({ budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 30 }, checkpointEvery: 7 });
    const { trials } = await seedSweep(db.stores, { trials: 1, spec });
    const [trial] = trials;
    const stopping = await aWorker('best-stopping-worker', 30);
    const bullWorker = queue.process(stopping.processor);
    await queue.enqueue(trial);
    await waitFor('the run has stored epoch 9', async () => (await lastEpochStored(trial)) >= 9, 10_000, 20);
    await stopAsOnSigterm(stopping, bullWorker);
    await bullWorker.close();
    const handedBack = await trialOf(trial);
    await assertHandsOverBest(trial, handedBack.lastEpoch ?? 0);

    queue.process((await aWorker('best-next-worker', 0)).processor);
    assert.equal(await queue.outcomeOf(trial.id), 'completed');
    await assertHandsOverBest(trial, 30);
  });

  /** The trial's best epoch is the epoch of its stored points with the best objective, and its kept checkpoint restores that epoch and value. */
  const assertHandsOverBest = async (trial: TrialRef, upToEpoch: number) => {
    const row = await trialOf(trial);
    const points = (await db.stores.trialReads.metricPoints(trial.id, ['val_loss'])).filter((p) => p.epoch <= upToEpoch);
    const bestPoint = points.reduce((best, p) => (p.value < best.value ? p : best));
    assert.deepEqual([row.bestEpoch, row.bestMetric], [bestPoint.epoch, bestPoint.value], `epoch ${bestPoint.epoch} scored best up to epoch ${upToEpoch}`);
    const stored = await db.stores.trialReads.checkpoint(trial.id, bestPoint.epoch);
    assert.ok(stored, `the checkpoint of the best epoch ${bestPoint.epoch} is kept (kept: ${(await checkpointEpochs(trial)).join(', ')})`);
    const restored = SimulatedSession.fromCheckpoint(stored.bytes, row.config, { metric: 'val_loss', direction: 'minimize' });
    assert.deepEqual([restored.epoch, restored.bestMetric], [bestPoint.epoch, bestPoint.value]);
    if (row.status === 'completed' || row.status === 'pruned') {
      assert.deepEqual(Object.keys(row.testMetrics ?? {}).sort(), ['seasonal_naive_test_mae', 'test_loss', 'test_mae'], 'an ended trial is scored on the test split');
    } else {
      assert.equal(row.testMetrics, null, 'a trial is scored on the test split only when it ends');
    }
  };

  it('counts the epochs it trains and the trials it runs in its Prometheus series, simulated trials too', async () => {
    queue = new TrialQueue('runner-metrics');
    const { trials } = await seedSweep(db.stores, { trials: 2, spec: simulatedSpec({ budget: { maxTrials: 2, maxConcurrent: 2, maxEpochsPerTrial: 7 }, checkpointEvery: 3 }) });
    const worker = await aWorker('metrics-worker', 30);
    queue.process(worker.processor, 2);
    const scrape = async () => new PrometheusText(await worker.workerMetrics.text());
    for (const trial of trials) await queue.enqueue(trial);
    const running = await waitFor('both trials run', async () => ((await scrape()).value('tuneforge_worker_running_trials') === 2 ? true : undefined), 10_000, 10);
    assert.ok(running);
    for (const trial of trials) assert.equal(await queue.outcomeOf(trial.id), 'completed');
    const metrics = await scrape();
    assert.equal(metrics.value('tuneforge_worker_running_trials'), 0);
    assert.equal(metrics.value('tuneforge_worker_epochs_total', { model: 'simulated' }), 14);
    assert.equal(metrics.value('tuneforge_worker_samples_total', { model: 'simulated' }), 0, 'the simulated family trains on no samples');
    assert.equal(metrics.value('tuneforge_worker_epoch_duration_seconds_count', { model: 'simulated' }), 14);
    const seconds = metrics.value('tuneforge_worker_epoch_duration_seconds_sum', { model: 'simulated' });
    assert.ok(seconds >= 14 * 0.025 && seconds < 14 * 1, `14 epochs of 30 ms took ${seconds} s`);
  });

  it("skips the job of a finished trial, and ends a cancelled sweep's queued trial cancelled without running it", async () => {
    queue = new TrialQueue('runner-unclaimed');
    const open = await seedSweep(db.stores, { trials: 1 });
    await endTrials(db.stores, open.trials, { status: 'completed', bestMetric: 0.5 });
    const cancelled = await seedSweep(db.stores, { trials: 1, status: 'cancelled' });
    queue.process((await aWorker('unclaimed-worker', 0)).processor);
    await queue.enqueue(open.trials[0]);
    await queue.enqueue(cancelled.trials[0]);

    assert.equal(await queue.outcomeOf(open.trials[0].id), 'skipped');
    const finished = await trialOf(open.trials[0]);
    assert.deepEqual([finished.status, finished.attempts, finished.events.map((e) => e.type)], ['completed', 1, ['started', 'completed']]);
    assert.equal(await queue.outcomeOf(cancelled.trials[0].id), 'cancelled');
    const ended = await trialOf(cancelled.trials[0]);
    assert.deepEqual([ended.status, ended.statusReason, ended.attempts, ended.events.map((e) => e.type)], ['cancelled', 'sweep cancelled', 0, ['cancelled']]);
    assert.deepEqual(await epochsStored(cancelled.trials[0]), []);
  });

  const rungCases = [
    {
      rule: 'ASHA',
      earlyStopping: { type: 'asha', minEpochs: 1, reductionFactor: 3 } as const,
      // Rungs at epochs 1 and 3: the peers are worse at the first, better at the second.
      peers: [
        { epoch: 1, value: 10 },
        { epoch: 3, value: 0.01 },
      ],
      stoppedAt: { epoch: 3, rung: 1 },
      reason: /^stopped at rung 1 \(epoch 3\): val_loss [\d.]+ is outside the best 1 of 4 \(cutoff 0\.01\)$/,
    },
    {
      rule: 'the median rule',
      earlyStopping: { type: 'median', warmupEpochs: 2, minTrials: 3 } as const,
      // Rungs at every epoch after the warm-up (epoch 3 is rung 2): no median before, worse peers at 3, better at 4.
      peers: [
        { epoch: 2, value: 0.01 },
        { epoch: 3, value: 10 },
        { epoch: 4, value: 0.01 },
      ],
      stoppedAt: { epoch: 4, rung: 3 },
      reason: /^stopped at rung 3 \(epoch 4\): val_loss [\d.]+ is worse than the median 0\.01 of 3 trials$/,
    },
  ];
  for (const { rule, earlyStopping, peers, stoppedAt, reason } of rungCases) {
    it(`prunes a run with ${rule} at the rung where its peers in PostgreSQL are better, and not before`, async () => {
      queue = new TrialQueue('runner-rungs');
      // No checkpoint before the last epoch: the best the pruned run scored is stored with its end.
      const spec = simulatedSpec({ earlyStopping, budget: { maxTrials: 4, maxConcurrent: 4, maxEpochsPerTrial: 9 }, checkpointEvery: 9 });
      const { trials } = await seedSweep(db.stores, { trials: 4, spec });
      const [trial, ...others] = trials;
      for (const peer of await claimTrials(db.stores, others, 'peer-worker')) {
        await seedMetricPoints(db.stores, peer, peers.map((p) => ({ ...p, name: 'val_loss' })));
      }
      queue.process((await aWorker('rung-worker', 0)).processor);
      await queue.enqueue(trial);

      assert.equal(await queue.outcomeOf(trial.id), 'pruned');
      const pruned = await trialOf(trial);
      assert.deepEqual([pruned.status, pruned.prunedRung, pruned.lastEpoch], ['pruned', stoppedAt.rung, stoppedAt.epoch]);
      assert.match(pruned.statusReason ?? '', reason);
      assert.deepEqual(
        pruned.events.map((e) => e.type),
        ['started', 'pruned'],
      );
      assert.deepEqual(await epochsStored(trial), Array.from({ length: stoppedAt.epoch }, (_, i) => i + 1), 'it trained no epoch past the rung');
      await assertHandsOverBest(trial, stoppedAt.epoch);
      const ownValue = (await db.stores.trialReads.metricPoints(trial.id, ['val_loss'])).at(-1)?.value;
      assert.ok(ownValue !== undefined && ownValue > 0.01 && ownValue < 10, `its value ${ownValue} lies between the peers' (a real comparison)`);
    });
  }

  it('stops a run taken over by a later claim at its next check, and the fence drops what it measured after', async () => {
    const { trial, worker } = await aLongRunPast('superseded', 5);

    const [takeover] = await claimTrials(db.stores, [trial], 'taking-over-worker'); // what a redelivered job's claim does
    const storedAtTakeover = await lastEpochStored(trial);
    assert.equal(await queue.outcomeOf(trial.id), 'superseded');
    await worker.metrics.flush(); // whatever the run left in the buffer is written now, or never

    const after = await trialOf(trial);
    assert.deepEqual([after.status, after.attempts, after.workerId], ['running', takeover.attempts, 'taking-over-worker'], 'the trial is the later claim\'s');
    assert.deepEqual(
      after.events.map((e) => e.type),
      ['started', 'superseded', 'started'],
    );
    assert.deepEqual(await checkpointEpochs(trial), [], 'the old run checkpointed nothing');
    const lastStored = await lastEpochStored(trial);
    assert.ok(lastStored <= storedAtTakeover + 1, `points up to epoch ${lastStored} were stored, ${storedAtTakeover} at the takeover`);
  });

  describe('a run whose sweep is cancelled mid-run', () => {
    let trial: TrialRef;
    let stoppedAfterMs: number;
    let storedAtCancel: number;
    let checkpointsAtCancel: number[];
    let asCancelled: Awaited<ReturnType<typeof trialOf>>;

    before(async () => {
      // Past its checkpoint of epoch 100: the next is 2 s away, the next attempt check at most 1 s.
      const run = await aLongRunPast('cancelled', 105);
      trial = run.trial;
      const { worker } = run;

      await cancelSweep(db.stores, run.sweep.id);
      const cancelledAt = Date.now();
      storedAtCancel = await lastEpochStored(trial);
      checkpointsAtCancel = await checkpointEpochs(trial);
      asCancelled = await trialOf(trial);
      assert.equal(await queue.outcomeOf(trial.id), 'cancelled');
      stoppedAfterMs = Date.now() - cancelledAt;
      await worker.metrics.flush(); // whatever the run left in the buffer is written now, or never
    });

    it(`stops within about ${ATTEMPT_CHECK_MS} ms (its periodic check) with the outcome cancelled`, () => {
      assert.ok(stoppedAfterMs < ATTEMPT_CHECK_MS + 1_000, `the run stopped ${stoppedAfterMs} ms after the cancel`);
    });

    it('writes no checkpoint and no change to the trial after the cancel', async () => {
      const after = await trialOf(trial);
      assert.equal(checkpointsAtCancel[0], 100, 'the newest checkpoint at the cancel is of epoch 100');
      assert.deepEqual(await checkpointEpochs(trial), checkpointsAtCancel, 'no checkpoint after the cancel (the best epoch kept beside it, if older, stays)');
      assert.deepEqual([after.status, after.lastEpoch, after.updatedAt, after.events], [asCancelled.status, asCancelled.lastEpoch, asCancelled.updatedAt, asCancelled.events]);
      assert.equal(after.events.at(-1)?.type, 'cancelled');
    });

    it('stores no metric point of an epoch it trained after the cancel', async () => {
      // The epoch in training when the cancel committed may still report; nothing trained after it may.
      const lastStored = await lastEpochStored(trial);
      assert.ok(lastStored <= storedAtCancel + 1, `metric points up to epoch ${lastStored} were stored, ${lastStored - storedAtCancel} epochs past the ${storedAtCancel} stored at the cancel`);
    });
  });
});
