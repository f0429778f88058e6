import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { TrialConfig } from '@tuneforge/contracts';
import { CorruptCheckpointError, decodeCheckpoint, toLayersModelFiles } from '@tuneforge/formats';
import { selectBackend } from './backend';
import { forecastData, singleColumnSeries } from './datasets/forecast.dataset';
import { sotuCorpus, textData } from './datasets/sotu.dataset';
import { usBirthsSeries } from './datasets/us-births.dataset';
import { NonFiniteLossError } from './trainer';
import { TrialSession } from './trial-session';

const OBJECTIVE = { metric: 'val_mae', direction: 'minimize' } as const;

function aConfig(hyperparameters: Partial<Record<string, number>> = {}): TrialConfig {
  return {
    model: 'lstm',
    dataset: { source: 'builtin', name: 'us-births-1969-1988' },
    hyperparameters: { hiddenUnits: 8, layers: 1, dropout: 0, recurrentDropout: 0, learningRate: 0.01, batchSize: 256, ...hyperparameters },
    maxEpochs: 3,
    checkpointEvery: 1,
  };
}

describe(TrialSession.name, () => {
  const births = () => forecastData(usBirthsSeries(), { window: 7, horizon: 1, validationSplit: 0.2, testSplit: 0.1, output: 'level' });
  let data: ReturnType<typeof births>;

  before(async () => {
    await selectBackend(process.env.TF_BACKEND ?? 'wasm');
    data = births();
  });

  it('reports loss, val_loss, val_mae in births, the baseline, time and throughput each epoch', async () => {
    const sut = await TrialSession.open(data, aConfig(), 1, OBJECTIVE);
    const metrics = await sut.trainNextEpoch();
    assert.deepEqual(Object.keys(metrics).sort(), ['epoch_seconds', 'learning_rate', 'loss', 'param_count', 'samples_per_second', 'seasonal_naive_val_mae', 'val_loss', 'val_mae']);
    assert.ok(metrics.val_mae > 50 && metrics.val_mae < 3000, `val_mae ${metrics.val_mae} is in births per day`);
    assert.equal(sut.epoch, 1);
    assert.equal(sut.bestMetric, metrics.val_mae);
    assert.equal(sut.samplesPerEpoch, data.trainX.shape[0], 'an epoch steps through every training window');
    sut.dispose();
  });

  it('builds one LSTM layer per entry of per-layer unit counts', async () => {
    const sut = await TrialSession.open(data, { ...aConfig({ layers: 2 }), hyperparameters: { ...aConfig().hyperparameters, layers: 2, hiddenUnits: [8, 4] } }, 2, OBJECTIVE);
    const units = sut.model.layers.filter((l) => l.getClassName() === 'LSTM').map((l) => (l.getConfig() as { units: number }).units);
    assert.deepEqual(units, [8, 4]);
    assert.ok(Number.isFinite((await sut.trainNextEpoch()).val_mae));
    sut.dispose();
  });

  it('gives the same first-epoch loss for the same config and seed, another for another seed', async () => {
    const lossOf = async (seed: number) => {
      const session = await TrialSession.open(data, aConfig(), seed, OBJECTIVE);
      const { loss } = await session.trainNextEpoch();
      session.dispose();
      return loss;
    };
    const [a, b, c] = [await lossOf(7), await lossOf(7), await lossOf(8)];
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  it('resumes from its checkpoint exactly where an uninterrupted run goes', async () => {
    const straight = await TrialSession.open(data, aConfig(), 3, OBJECTIVE);
    await straight.trainNextEpoch();
    const bytes = await straight.checkpoint();
    const expected = await straight.trainNextEpoch();

    const resumed = await TrialSession.open(data, aConfig(), 3, OBJECTIVE, decodeCheckpoint(bytes));
    assert.equal(resumed.epoch, 1);
    const actual = await resumed.trainNextEpoch();
    assert.ok(Math.abs(actual.loss - expected.loss) < 1e-6 * Math.abs(expected.loss), `${actual.loss} vs ${expected.loss}`);
    assert.ok(Math.abs(actual.val_mae - expected.val_mae) < 1e-3);
    straight.dispose();
    resumed.dispose();
  });

  it('writes checkpoints that tf.loadLayersModel reads and that predict what the trial predicts', async () => {
    const session = await TrialSession.open(data, aConfig(), 4, OBJECTIVE);
    await session.trainNextEpoch();
    const files = toLayersModelFiles(decodeCheckpoint(await session.checkpoint())) as { modelJson: any; weights: Buffer };
    const weights = files.weights.buffer.slice(files.weights.byteOffset, files.weights.byteOffset + files.weights.length) as ArrayBuffer;
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: files.modelJson.modelTopology, weightSpecs: files.modelJson.weightsManifest[0].weights, weightData: weights }),
    );
    const sample = data.valX.slice(0, 4);
    const restored = await (loaded.predict(sample) as tf.Tensor).data();
    const original = await (session.model.predict(sample) as tf.Tensor).data();
    assert.deepEqual(Array.from(restored), Array.from(original));
    assert.ok(files.modelJson.weightsManifest[0].weights.every((w: { name: string }) => !w.name.includes('/m') && !w.name.includes('iter')));
    session.dispose();
  });

  it('detects a corrupted checkpoint', async () => {
    const session = await TrialSession.open(data, aConfig(), 5, OBJECTIVE);
    const bytes = await session.checkpoint();
    bytes[bytes.length - 10] ^= 0xff;
    assert.throws(() => decodeCheckpoint(bytes), CorruptCheckpointError);
    assert.throws(() => decodeCheckpoint(Buffer.from('garbage')), CorruptCheckpointError);
    session.dispose();
  });

  it('stops with NonFiniteLossError when the loss is not finite', async () => {
    const broken = forecastData(singleColumnSeries(Array.from({ length: 200 }, (_, t) => (t === 50 ? NaN : t))), { window: 5, horizon: 1, validationSplit: 0.2, testSplit: 0.1, output: 'level' });
    const session = await TrialSession.open(broken, aConfig(), 6, OBJECTIVE);
    await assert.rejects(() => session.trainNextEpoch(), NonFiniteLossError);
    session.dispose();
  });

  it('trains the character model on State of the Union text and reports bits per character', async () => {
    const text = textData(sotuCorpus(3_000), { window: 16, maxChars: 3_000, validationSplit: 0.2, testSplit: 0.1 });
    const session = await TrialSession.open(text, aConfig({ hiddenUnits: 16, batchSize: 128 }), 1, { metric: 'val_bpc', direction: 'minimize' });
    const metrics = await session.trainNextEpoch();
    assert.ok(metrics.val_bpc > 0 && metrics.val_bpc < 8, `val_bpc ${metrics.val_bpc}`);
    assert.ok(Math.abs(metrics.val_bpc - metrics.val_loss / Math.log(2)) < 1e-9);
    const { metrics: test, confusion } = await session.scoreOnTest(() => session.checkpoint());
    assert.equal(confusion, null, 'only classifiers have a confusion matrix');
    assert.deepEqual(Object.keys(test).sort(), ['test_bpc', 'test_loss']);
    assert.ok(test.test_bpc > 0 && test.test_bpc < 8, `test_bpc ${test.test_bpc}`);
    assert.equal(session.preprocessing.task, 'text');
    session.dispose();
  });

  it("scores the checkpoint it is given on the test split, not the model's current weights, with the baseline on the same rows", async () => {
    const session = await TrialSession.open(data, aConfig(), 3, OBJECTIVE);
    await session.trainNextEpoch();
    const firstEpoch = await session.checkpoint();
    await session.trainNextEpoch();
    const scoreOf = async (bytes: Buffer) => (await session.scoreOnTest(async () => bytes)).metrics;
    const [first, second] = [await scoreOf(firstEpoch), await scoreOf(await session.checkpoint())];
    assert.deepEqual(Object.keys(first).sort(), ['seasonal_naive_test_mae', 'test_loss', 'test_mae']);
    assert.notEqual(first.test_mae, second.test_mae, 'each checkpoint gets its own score');
    assert.equal(first.seasonal_naive_test_mae, data.seasonalNaiveTestMae);
    assert.deepEqual(await scoreOf(firstEpoch), first, 'the same checkpoint scores the same');
    session.dispose();
  });
});
