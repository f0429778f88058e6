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

  it("keeps the best epoch's checkpoint beside the newest two, stored with a later checkpoint, until a better one replaces it", async () => {
    const [trial] = await claimTrials(stores, (await seedSweep(stores, { trials: 1 })).trials);
    const saveBest = (epoch: number, bestMetric: number, bestEpoch: number | null, bestBytes?: string) =>
      saveCheckpoint(stores.manager, { trialId: trial.id, epoch, format: 'test', bytes: Buffer.from(`e${epoch}`), bestMetric, attempt: trial.attempts, bestEpoch, bestBytes: bestBytes === undefined ? undefined : Buffer.from(bestBytes) });
    const bestOf = async () => {
      const row = await stores.trialReads.find(trial.id);
      return { bestEpoch: row?.bestEpoch, bestMetric: row?.bestMetric };
    };
    await saveBest(2, 0.5, 2);
    // Epoch 3 scored best between two checkpoints: its weights come with epoch 4's checkpoint.
    await saveBest(4, 0.3, 3, 'best of 3');
    assert.deepEqual(await kept(trial.id), [[4, 'e4'], [3, 'best of 3'], [2, 'e2']]);
    assert.deepEqual(await bestOf(), { bestEpoch: 3, bestMetric: 0.3 });
    await saveBest(5, 0.3, 3);
    await saveBest(6, 0.3, 3);
    assert.deepEqual(await kept(trial.id), [[6, 'e6'], [5, 'e5'], [3, 'best of 3']], 'the best stays however old');
    await saveBest(7, 0.2, 7);
    assert.deepEqual(await kept(trial.id), [[7, 'e7'], [6, 'e6']], 'a better epoch replaces it');
    assert.deepEqual(await bestOf(), { bestEpoch: 7, bestMetric: 0.2 });
  });

  it('keeps the stored best for a resumed run that has not beaten it, and forgets a best of the run the trial left', async () => {
    const [trial] = await claimTrials(stores, (await seedSweep(stores, { trials: 1 })).trials);
    const saveAs = (epoch: number, bestMetric: number, bestEpoch: number | null) =>
      saveCheckpoint(stores.manager, { trialId: trial.id, epoch, format: 'test', bytes: Buffer.from(`e${epoch}`), bestMetric, attempt: trial.attempts, bestEpoch });
    await saveAs(2, 0.4, 2);
    await saveAs(4, 0.3, 4);
    // A resumed run (from epoch 4) knows its checkpoint's best value but not its epoch.
    await saveAs(5, 0.3, null);
    assert.equal((await stores.trialReads.find(trial.id))?.bestEpoch, 4);
    assert.deepEqual(await kept(trial.id), [[5, 'e5'], [4, 'e4']]);
    // A run that started again from scratch (epochs 4 and 5 unreadable) saves epoch 3: epoch 4's best belongs to the run it left.
    await saveAs(3, 0.4, null);
    assert.deepEqual(await kept(trial.id), [[3, 'e3']]);
    assert.equal((await stores.trialReads.find(trial.id))?.bestEpoch, null, 'no stored checkpoint scores that best any more');
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
