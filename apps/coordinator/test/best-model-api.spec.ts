import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeCheckpointContainer } from '@tuneforge/formats';
import { saveCheckpoint, Stores } from '@tuneforge/persistence';
import { adminFetch, claimTrials } from '@tuneforge/testing';
import { aSweepSpec } from './support/sweep-specs';
import { startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

/** A tfjs checkpoint container of one two-float weight, recognisable by its values. */
const aCheckpoint = (epoch: number, values: [number, number]) =>
  encodeCheckpointContainer(
    { modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightSpecs: [{ name: 'dense/kernel', shape: [2], dtype: 'float32' }], weightData: new Float32Array(values).buffer },
    { epoch, seed: 1, bestMetric: null },
  );

describe('best-epoch model download', () => {
  let coordinator: TestCoordinator;
  let trialId: string;

  before(async () => {
    coordinator = await startTestCoordinator('best_model_api');
    const sweep = await coordinator.client.createSweep({ body: aSweepSpec({ name: 'best-model', model: 'simulated' }) });
    const [trial] = (await coordinator.client.listTrials({ id: sweep.id, query: { sort: 'number' } })).items;
    trialId = trial.id;
    const stores = coordinator.app.get(Stores);
    const [run] = await claimTrials(stores, [trial]);
    const save = (epoch: number, bestEpoch: number, values: [number, number], bestValues?: [number, number]) =>
      saveCheckpoint(stores.manager, {
        trialId,
        attempt: run.attempts,
        epoch,
        format: 'tfjs-layers+adam/v1',
        bytes: aCheckpoint(epoch, values),
        bestMetric: 0.25,
        bestEpoch,
        bestBytes: bestValues && aCheckpoint(bestEpoch, bestValues),
      });
    await save(4, 4, [4, 4]);
    // Epoch 5 scored best; its weights come with epoch 6's checkpoint, and epochs 7 and 8 do not beat it.
    await save(6, 5, [6, 6], [5, 5]);
    await save(8, 5, [8, 8]);
  });
  after(() => coordinator?.close());

  it("serves the best epoch's checkpoint, not the newest, and says which epoch it is", async () => {
    const trial = await coordinator.client.getTrial({ id: trialId });
    assert.deepEqual([trial.bestEpoch, trial.bestMetric, trial.lastEpoch], [5, 0.25, 8]);
    const best = await adminFetch(`${coordinator.baseUrl}/api/v1/trials/${trialId}/checkpoints/best`);
    assert.equal(best.status, 200);
    assert.equal(best.headers.get('x-checkpoint-epoch'), '5');
    const modelJson = (await best.json()) as { weightsManifest: { paths: string[] }[] };
    assert.deepEqual(modelJson.weightsManifest[0].paths, ['best/weights.bin'], 'tf.loadLayersModel(bestUrl) finds the weights beside it');
    assert.deepEqual([...new Float32Array(await coordinator.client.bestWeights({ id: trialId }))], [5, 5]);
    assert.deepEqual([...new Float32Array(await coordinator.client.latestWeights({ id: trialId }))], [8, 8]);
    assert.deepEqual(
      (await coordinator.client.listCheckpoints({ id: trialId })).map((c) => c.epoch),
      [8, 6, 5],
      'the newest two and the best are kept',
    );
  });
});
