import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { EVERY_TRIAL } from '@tuneforge/search';
import { aParsedSweepSpec, claimTrials, seedMetricPoints, seedSweep, TestStores } from '@tuneforge/testing';
import { RungPeers, type RungQuestion } from '../src/rung-peers.service';
import { WorkerServices } from './support/worker-services';

const FLUSH_MS = 40;

describe(RungPeers.name, () => {
  let db: TestStores;
  let workers: WorkerServices[];

  before(async () => {
    db = await TestStores.open('worker_rung_peers');
    workers = await Promise.all(['a', 'b'].map((id) => WorkerServices.create(db.stores, { WORKER_ID: `rungs-${id}`, METRICS_FLUSH_MS: String(FLUSH_MS) })));
  });
  after(async () => {
    await Promise.all(workers?.map((w) => w.close()) ?? []);
    await db?.close();
  });

  async function sweepWithRuns(trials: number) {
    const { sweep, trials: refs } = await seedSweep(db.stores, { trials, spec: aParsedSweepSpec({ name: 'rung-peers', model: 'simulated' }) });
    return { sweepId: sweep.id, runs: await claimTrials(db.stores, refs) };
  }
  const question = (sweepId: string, trialNumber: number, value: number, epoch = 2): RungQuestion => ({
    sweepId,
    metric: 'val_loss',
    epoch,
    trialNumber,
    value,
    direction: 'minimize',
    peers: EVERY_TRIAL,
    reductionFactor: 2,
  });

  it('reads a rung whole the first time it is asked about, without the deciding trial', async () => {
    const { sweepId, runs } = await sweepWithRuns(6);
    for (const run of runs.slice(0, 5)) await seedMetricPoints(db.stores, run, [{ epoch: 2, name: 'val_loss', value: run.number }]);
    // Trial 4's stored value (4) is its own, not a peer's: peers 0..3.
    assert.deepEqual(await workers[0].rungPeers.summary(question(sweepId, 4, 2.5)), { count: 4, median: 1.5, cutoff: 1 });
    // Another metric or epoch of the same sweep is another rung.
    assert.deepEqual(await workers[0].rungPeers.summary(question(sweepId, 4, 2.5, 3)), { count: 0, median: null, cutoff: 2.5 });
  });

  it("counts the worker's own decisions at once, and another worker's once they are stored and read", async () => {
    const { sweepId, runs } = await sweepWithRuns(4);
    const [a, b] = workers;
    assert.equal((await a.rungPeers.summary(question(sweepId, 0, 10))).count, 0);
    assert.deepEqual(await a.rungPeers.summary(question(sweepId, 1, 20)), { count: 1, median: 10, cutoff: 10 });
    assert.equal((await b.rungPeers.summary(question(sweepId, 2, 30))).count, 0, "worker b has not seen a's decisions: they are not stored yet");

    // Worker a's trials store their values (as its metric writer does); b reads them at its next sync.
    for (const run of runs.slice(0, 2)) await seedMetricPoints(db.stores, run, [{ epoch: 2, name: 'val_loss', value: (run.number + 1) * 10 }]);
    await new Promise((resolve) => setTimeout(resolve, FLUSH_MS * 2));
    assert.deepEqual(await b.rungPeers.summary(question(sweepId, 3, 5)), { count: 3, median: 20, cutoff: 10 });
  });

  it('takes a rewritten value (a resumed attempt) in place of the earlier one', async () => {
    const { sweepId, runs } = await sweepWithRuns(2);
    await seedMetricPoints(db.stores, runs[0], [{ epoch: 2, name: 'val_loss', value: 7 }]);
    assert.deepEqual(await workers[1].rungPeers.summary(question(sweepId, 1, 1)), { count: 1, median: 7, cutoff: 1 });
    const [again] = await claimTrials(db.stores, [runs[0]]); // a later attempt of trial 0 writes its epoch again
    await seedMetricPoints(db.stores, again, [{ epoch: 2, name: 'val_loss', value: 3 }]);
    await new Promise((resolve) => setTimeout(resolve, FLUSH_MS * 2));
    // The rewritten point takes a new id, so readers of new points read it again.
    assert.deepEqual(await workers[1].rungPeers.summary(question(sweepId, 1, 1)), { count: 1, median: 3, cutoff: 1 });
  });

  it('keeps at most WORKER_RUNG_VALUES_KEPT values, dropping the least recently used rungs and reading them whole again', async () => {
    const { sweepId, runs } = await sweepWithRuns(5);
    for (const run of runs.slice(0, 4)) {
      await seedMetricPoints(
        db.stores,
        run,
        [2, 3, 4].map((epoch) => ({ epoch, name: 'val_loss', value: run.number * epoch })),
      );
    }
    const small = await WorkerServices.create(db.stores, { WORKER_ID: 'rungs-small', METRICS_FLUSH_MS: String(FLUSH_MS), WORKER_RUNG_VALUES_KEPT: '5' });
    try {
      for (const epoch of [2, 3, 4]) {
        assert.deepEqual(await small.rungPeers.summary(question(sweepId, 4, 100, epoch)), { count: 4, median: 1.5 * epoch, cutoff: epoch });
        await new Promise((resolve) => setTimeout(resolve, FLUSH_MS * 2)); // the next question syncs, and drops what is past the bound
      }
      await small.rungPeers.summary(question(sweepId, 4, 100, 4));
      assert.equal(small.rungPeers.keptValues, 5, 'only the newest rung: its 4 values and the deciding trial its own');
      assert.match(await small.workerMetrics.text(), /^tuneforge_worker_rung_values 5$/m, 'the gauge says so');
      // Epoch 2 was dropped: asked again, it is read whole (the deciding trial's own earlier value is not stored, so 4 peers).
      assert.deepEqual(await small.rungPeers.summary(question(sweepId, 4, 100, 2)), { count: 4, median: 3, cutoff: 2 });
    } finally {
      await small.close();
    }
  });
});
