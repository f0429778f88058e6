import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { claimTrials, endTrials, seedSweep, TestStores } from '@tuneforge/testing';
import { CHECKPOINTS_KEPT, checkpointsNewestFirst, saveCheckpoint, upsertMetricPoints, type Stores } from '../src';

describe('fenced trial writes: saveCheckpoint and upsertMetricPoints', () => {
  let db: TestStores;
  let stores: Stores;
  let trialId: string;
  let sweepId: string;
  /** A second trial of the sweep, ended while running: writes to a finished trial are refused. */
  let endedTrialId: string;

  before(async () => {
    db = await TestStores.open('checkpoints');
    stores = db.stores;
    const { sweep, trials } = await seedSweep(stores, { trials: 2 });
    sweepId = sweep.id;
    // Both run under attempt 1, as a worker's claim leaves them.
    [{ id: trialId }, { id: endedTrialId }] = await claimTrials(stores, trials);
  });
  after(() => db?.close());

  const save = (epoch: number, text: string, bestMetric: number | null = epoch / 10, attempt = 1, id = trialId) =>
    saveCheckpoint(stores.manager, { trialId: id, epoch, format: 'test', bytes: Buffer.from(text), bestMetric, attempt });
  const kept = async (id = trialId) => (await checkpointsNewestFirst(stores.manager, id)).map((c) => [c.epoch, c.bytes.toString()]);
  const progress = async (id = trialId) => {
    const trial = await stores.trialReads.find(id);
    return { lastEpoch: trial?.lastEpoch, bestMetric: trial?.bestMetric };
  };

  it(`keeps the ${CHECKPOINTS_KEPT} newest and records the trial's progress with them`, async () => {
    await save(1, 'one');
    await save(2, 'two');
    await save(3, 'three', 0.25);
    assert.deepEqual(await kept(), [[3, 'three'], [2, 'two']]);
    assert.deepEqual(await progress(), { lastEpoch: 3, bestMetric: 0.25 });
  });

  it('drops the checkpoints after the epoch a resumed run saves, then keeps the newest again', async () => {
    await save(2, 'two again');
    assert.deepEqual(await kept(), [[2, 'two again']], 'epoch 3 belonged to the run that was left');
    await save(3, 'three again');
    await save(4, 'four', null);
    assert.deepEqual(await kept(), [[4, 'four'], [3, 'three again']]);
    assert.deepEqual(await progress(), { lastEpoch: 4, bestMetric: null });
  });

  it('refuses a checkpoint of a superseded attempt and of a trial that is not running, and writes nothing', async () => {
    const state = async () => ({ kept: await kept(), progress: await progress(), ended: { kept: await kept(endedTrialId), progress: await progress(endedTrialId) } });
    await endTrials(stores, [{ id: endedTrialId, sweepId }], { status: 'completed', bestMetric: 0.5 });
    const ended = await stores.trialReads.find(endedTrialId);
    const before = await state();
    assert.equal(await save(5, 'stale', 0.01, 0), false, 'attempt 0 was superseded by attempt 1');
    assert.equal(await save(5, 'after the end', 0.01, ended?.attempts, endedTrialId), false);
    assert.deepEqual(await state(), before);
    assert.equal(await save(5, 'five'), true);
  });

  it('stores the metric points of the current attempt only', async () => {
    const point = (epoch: number, attempt: number) => ({ sweepId, trialId, epoch, name: 'loss', value: epoch + attempt / 10, attempt });
    await upsertMetricPoints(stores.manager, [point(1, 1), point(2, 0), point(3, 1)]);
    const stored = (await stores.trialReads.metricPoints(trialId, ['loss'])).map(({ epoch, value }) => ({ epoch, value }));
    assert.deepEqual(stored, [
      { epoch: 1, value: 1.1 },
      { epoch: 3, value: 3.1 },
    ]);
  });
});
