import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aParsedSweepSpec, seedRun, seedSweep, TestStores } from '@tuneforge/testing';
import { CheckpointEntity, DatasetEntity, MetricPointEntity, SweepEntity, TrialEntity, type Stores } from '../src';

describe('SweepStore.delete and the references that keep a sweep or a dataset', () => {
  let db: TestStores;
  let stores: Stores;

  before(async () => {
    db = await TestStores.open('deletes');
    stores = db.stores;
  });
  after(() => db?.close());

  const rowCounts = async () => ({
    sweeps: await stores.manager.count(SweepEntity),
    trials: await stores.manager.count(TrialEntity),
    metricPoints: await stores.manager.count(MetricPointEntity),
    checkpoints: await stores.manager.count(CheckpointEntity),
  });
  const aDataset = async () => (await stores.datasets.insert({ name: 'd', format: 'csv', columns: [], rowCount: 0, content: Buffer.from(''), sizeBytes: 0, sha256: '0' })).id;
  const uploaded = (datasetId: string) => ({ source: 'upload' as const, id: datasetId, target: 'y', window: 7, horizon: 1, validationSplit: 0.2 });
  /** A completed sweep whose trials each reported two metric points and saved a checkpoint. */
  const finishedSweep = async (trials: number) => {
    const seeded = await seedSweep(stores, { trials });
    const points = [
      { epoch: 1, name: 'loss', value: 1 },
      { epoch: 1, name: 'val_loss', value: 2 },
    ];
    for (const trial of seeded.trials) {
      await seedRun(stores, trial, { points, checkpoint: { epoch: 1, format: 'test', bytes: Buffer.from('c') }, end: { status: 'completed', bestMetric: 0.5 } });
    }
    await stores.sweeps.moveTo(seeded.sweep.id, 'completed');
    return seeded;
  };

  it('removes the sweep, its trials, their metric points and checkpoints, and nothing of another sweep', async () => {
    const kept = await finishedSweep(2);
    const before = await rowCounts();
    const doomed = await finishedSweep(3);
    const withDoomed = await rowCounts();
    assert.deepEqual(withDoomed, { sweeps: before.sweeps + 1, trials: before.trials + 3, metricPoints: before.metricPoints + 6, checkpoints: before.checkpoints + 3 });

    assert.equal(await stores.transaction(async (tx) => (await tx.sweeps.lock(doomed.sweep.id)) !== undefined && tx.sweeps.delete(doomed.sweep.id)), true);
    assert.deepEqual(await rowCounts(), before);
    assert.ok(await stores.sweeps.find(kept.sweep.id, ['id']));
    assert.equal(await stores.sweeps.delete(doomed.sweep.id), false, 'already gone');
  });

  it('names the live sweeps that warm-start from a sweep or train on a dataset, not the finished ones', async () => {
    const source = await seedSweep(stores);
    const datasetId = await aDataset();
    const onBoth = (name: string) =>
      aParsedSweepSpec({ name, algorithm: { type: 'tpe' }, warmStartFrom: source.sweep.id, dataset: uploaded(datasetId) });
    const running = await seedSweep(stores, { spec: onBoth('running') });
    const paused = await seedSweep(stores, { spec: onBoth('paused'), status: 'paused' });
    await seedSweep(stores, { spec: onBoth('cancelled'), status: 'cancelled' });
    assert.deepEqual(await stores.sweeps.liveWarmStartingFrom(source.sweep.id), [running.sweep.id, paused.sweep.id]);
    assert.deepEqual(await stores.sweeps.liveOnDataset(datasetId), [running.sweep.id, paused.sweep.id]);
    assert.deepEqual(await stores.sweeps.liveOnDataset(running.sweep.id), []);
  });

  it('makes a delete of a dataset wait for a transaction that holds it for a new sweep, and then see that sweep', async () => {
    const datasetId = await aDataset();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: () => void;
    const isHeld = new Promise<void>((resolve) => (held = resolve));
    const creating = stores.transaction(async (tx) => {
      assert.equal(await tx.datasets.holdForSweep(datasetId), true);
      await tx.sweeps.insert({
        name: 'on-held',
        spec: aParsedSweepSpec({ name: 'on-held', dataset: uploaded(datasetId) }),
        seed: 1,
        plannedTrials: 1,
        idempotencyKey: null,
      });
      held();
      await released;
    });
    await isHeld;
    let locked = false;
    const deleting = stores.transaction(async (tx) => {
      await tx.datasets.lock(datasetId);
      locked = true;
      return tx.sweeps.liveOnDataset(datasetId);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(locked, false, 'the lock waits for the holding transaction');
    release();
    await creating;
    assert.equal((await deleting).length, 1, 'and then sees the sweep it committed');

    await stores.transaction(async (tx) => (await tx.datasets.lock(datasetId)) && tx.datasets.delete(datasetId));
    assert.equal(await stores.datasets.holdForSweep(datasetId), false, 'a deleted dataset cannot be held');
    assert.equal(await stores.manager.count(DatasetEntity, { where: { id: datasetId } }), 0);
  });
});
