import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { switchesBackends } from '../test/support/backend-hooks';
import { buildRecurrentModel, type RecurrentHyperparameters, type RecurrentModelShape } from './recurrent.model';
import { seededInitialWeights, seededWeightsBackend, warmSetupThread } from './seeded-weights';

const FORECAST: RecurrentModelShape = { task: 'forecast', window: 7, featureCount: 3, horizon: 2 };
const TEXT: RecurrentModelShape = { task: 'text', window: 16, vocabularySize: 40 };

function hyperparameters(overrides: Partial<RecurrentHyperparameters> = {}): RecurrentHyperparameters {
  return { hiddenUnits: [24, 16], layers: 2, dropout: 0.1, recurrentDropout: 0.1, learningRate: 0.01, ...overrides };
}

/** Each weight's bytes: equal bytes, equal bits (NaN and -0 included). */
const bytesOf = (weights: readonly Float32Array[]) => weights.map((w) => Buffer.from(w.buffer, w.byteOffset, w.byteLength));
/** The topology without the names tfjs numbers per process (sequential_1, lstm_LSTM2, ...). */
const topologyOf = (model: tf.LayersModel) => JSON.stringify(model.toJSON(null, false)).replace(/"name":"[A-Za-z_]+\d+",?/g, '');

describe(seededInitialWeights.name, () => {
  switchesBackends();

  for (const backend of ['wasm', 'cpu'] as const) {
    for (const [name, shape] of [['forecast', FORECAST], ['text', TEXT]] as const) {
      it(`gives, on ${backend}, the ${name} model's weights that building it on this thread gives, bit for bit, and the same model`, async () => {
        await tf.setBackend(backend);
        const hp = hyperparameters();
        const expected = buildRecurrentModel(shape, hp, 42);
        const weights = await seededInitialWeights(shape, hp, 42, seededWeightsBackend(backend));
        const sut = buildRecurrentModel(shape, hp, 42, weights);
        assert.deepEqual(bytesOf(sut.getWeights().map((w) => w.dataSync() as Float32Array)), bytesOf(expected.getWeights().map((w) => w.dataSync() as Float32Array)));
        // Same layers and initialiser configs (seeds included): checkpoints keep the topology they had.
        assert.equal(topologyOf(sut), topologyOf(expected));
        assert.match(topologyOf(sut), /"recurrent_initializer":\{"class_name":"Orthogonal","config":\{"gain":1,"seed":\d+\}\}/);
        assert.equal(sut.optimizer.getClassName(), 'Adam');
        expected.dispose();
        sut.dispose();
      });
    }
  }

  it('warms the setup thread ahead of the first trial, which then runs on that same thread', async () => {
    const warmed = await warmSetupThread('wasm');
    assert.ok(warmed.threadId > 0, 'a worker thread, not the main one');
    await seededInitialWeights(FORECAST, hyperparameters(), 1, 'wasm');
    assert.deepEqual(await warmSetupThread('wasm'), warmed);
  });

  it('gives other weights for another seed', async () => {
    const [a, b] = [await seededInitialWeights(FORECAST, hyperparameters(), 1), await seededInitialWeights(FORECAST, hyperparameters(), 2)];
    assert.notDeepEqual(bytesOf(a), bytesOf(b));
  });

  it('runs the native tfjs backends\' initialisers on wasm, which loads on worker threads', () => {
    assert.equal(seededWeightsBackend('cpu'), 'cpu');
    assert.equal(seededWeightsBackend('wasm'), 'wasm');
    assert.equal(seededWeightsBackend('tensorflow'), 'wasm');
    assert.equal(seededWeightsBackend('tensorflow-gpu'), 'wasm');
  });

  it('refuses weights that do not fit the model', async () => {
    const weights = await seededInitialWeights(FORECAST, hyperparameters(), 3);
    assert.throws(() => buildRecurrentModel(FORECAST, hyperparameters({ hiddenUnits: [24, 8] }), 3, weights), /do not fit the model/);
  });
});
