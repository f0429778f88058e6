import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aParsedSweepSpec, seedSweep, TestStores, waitFor } from '@tuneforge/testing';
import { WorkerRegistry } from '../src/worker-registry.service';
import { TrialQueue, WorkerServices } from './support/worker-services';

describe(WorkerRegistry.name, () => {
  let db: TestStores;
  let queue: TrialQueue;
  let worker: WorkerServices;

  before(async () => {
    db = await TestStores.open('worker_registry');
    queue = new TrialQueue('registry');
    worker = await WorkerServices.create(db.stores, { WORKER_ID: 'registered-worker', HEARTBEAT_MS: '100', METRICS_FLUSH_MS: '20', SIMULATED_EPOCH_MS: '20' });
  });
  after(async () => {
    await queue?.close();
    await worker?.close();
    await db?.close();
  });

  const live = async () => (await db.stores.workers.list({ liveOnly: true })).find((w) => w.id === 'registered-worker');

  it('registers the worker, heartbeats the trials it runs, and marks it stopped', async () => {
    const sut = worker.registry;
    await sut.onApplicationBootstrap();
    const registered = await live();
    assert.deepEqual([registered?.backend, registered?.concurrency, registered?.runningTrialIds, registered?.stoppedAt], [worker.engine.name, 1, [], null]);

    const spec = aParsedSweepSpec({ model: 'simulated', budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 40 } });
    const { trials } = await seedSweep(db.stores, { trials: 1, spec });
    queue.process(worker.processor);
    await queue.enqueue(trials[0]);
    await waitFor('a heartbeat lists the running trial', async () => (await live())?.runningTrialIds.includes(trials[0].id), 10_000, 20);
    assert.equal(await queue.outcomeOf(trials[0].id), 'completed');
    await waitFor('a heartbeat lists no trial', async () => (await live())?.runningTrialIds.length === 0, 10_000, 20);

    await sut.markStopped();
    assert.equal(await live(), undefined, 'a stopped worker is not live');
    const [stopped] = await db.stores.workers.list({ liveOnly: false });
    assert.ok(stopped.stoppedAt);
  });
});
