import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { TrialConfig } from '@tuneforge/contracts';
import { loadCudaEngine, loadEngine } from '@tuneforge/lstm-engine';
import { decodeCheckpoint, toLayersModelFiles } from '@tuneforge/formats';
import { selectBackend } from './backend';
import { encodeCheckpoint, restoreModel, scoreCheckpointOnTest } from './checkpoint';
import { forecastData, singleColumnSeries } from './datasets/forecast.dataset';
import { sotuCorpus, textData } from './datasets/sotu.dataset';
import { usBirthsSeries } from './datasets/us-births.dataset';
import { trainingDataFor } from './datasets/catalog';
import { openLstmSession, selectTrainingEngine } from './engine';
import { NativeTrialSession } from './native-session';
import { NonFiniteLossError } from './trainer';
import { TrialSession } from './trial-session';

const OBJECTIVE = { metric: 'val_mae', direction: 'minimize' } as const;
const engine = loadEngine();
const skip = engine.available ? false : `the native engine is not available: ${engine.reason}`;

function aConfig(hyperparameters: Partial<Record<string, number | string | boolean | (number | string)[]>> = {}): TrialConfig {
  return {
    model: 'lstm',
    dataset: { source: 'builtin', name: 'us-births-1969-1988' },
    hyperparameters: {
      hiddenUnits: 8,
      layers: 1,
      dropout: 0,
      recurrentDropout: 0,
      learningRate: 0.01,
      batchSize: 256,
      ...hyperparameters,
    },
    maxEpochs: 3,
    checkpointEvery: 1,
  };
}

const relativeGap = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe(NativeTrialSession.name, { skip }, () => {
  const births = () =>
    forecastData(usBirthsSeries(), {
      window: 7,
      horizon: 1,
      validationSplit: 0.2,
      testSplit: 0.1,
      output: 'level',
    });
  let data: ReturnType<typeof births>;

  before(async () => {
    await selectBackend(process.env.TF_BACKEND ?? 'wasm');
    data = births();
  });

  it('reports the metrics the tfjs trainer reports, and its first epoch matches tfjs from the same seed', async () => {
    const native = await NativeTrialSession.open(data, aConfig(), 11, OBJECTIVE);
    const reference = await TrialSession.open(data, aConfig(), 11, OBJECTIVE);
    const [ours, theirs] = [await native.trainNextEpoch(), await reference.trainNextEpoch()];
    assert.deepEqual(Object.keys(ours).sort(), Object.keys(theirs).sort());
    assert.equal(ours.param_count, theirs.param_count);
    assert.equal(native.samplesPerEpoch, reference.samplesPerEpoch);
    // Same weights, batches and Adam: the epochs differ only by float rounding.
    assert.ok(relativeGap(ours.loss, theirs.loss) < 1e-3, `loss ${ours.loss} vs tfjs ${theirs.loss}`);
    assert.ok(relativeGap(ours.val_mae, theirs.val_mae) < 1e-3, `val_mae ${ours.val_mae} vs tfjs ${theirs.val_mae}`);
    native.dispose();
    reference.dispose();
  });

  it('writes checkpoints that tf.loadLayersModel reads and that predict what the engine predicts', async () => {
    const session = await NativeTrialSession.open(data, aConfig({ layers: 2, hiddenUnits: [8, 4] }), 4, OBJECTIVE);
    await session.trainNextEpoch();
    const files = toLayersModelFiles(decodeCheckpoint(await session.checkpoint())) as { modelJson: any; weights: Buffer };
    const weights = files.weights.buffer.slice(files.weights.byteOffset, files.weights.byteOffset + files.weights.length) as ArrayBuffer;
    const loaded = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: files.modelJson.modelTopology,
        weightSpecs: files.modelJson.weightsManifest[0].weights,
        weightData: weights,
      }),
    );
    const sample = data.valX.slice(0, 16);
    const fromTfjs = (await (loaded.predict(sample) as tf.Tensor).data()) as Float32Array;
    const fromEngine = (
      session as unknown as {
        net: { predict(x: Float32Array, chunk: number): Float32Array };
      }
    ).net.predict((await sample.data()) as Float32Array, 16);
    fromTfjs.forEach((value, i) =>
      assert.ok(Math.abs(value - fromEngine[i]) <= 1e-5 * Math.max(1, Math.abs(value)), `prediction ${i}: tfjs ${value}, engine ${fromEngine[i]}`),
    );
    loaded.dispose();
    session.dispose();
  });

  it('checkpoints Adam state that tfjs restores (iterations and moments)', async () => {
    const session = await NativeTrialSession.open(data, aConfig(), 5, OBJECTIVE);
    await session.trainNextEpoch();
    const model = await restoreModel(decodeCheckpoint(await session.checkpoint()));
    const state = await model.optimizer.getWeights();
    const steps = Math.ceil(data.trainX.shape[0] / 256);
    assert.equal((await state[0].tensor.data())[0], steps);
    assert.equal(state.length, 1 + 2 * model.trainableWeights.length);
    assert.ok(state.slice(1).every((s) => s.tensor.shape.join() !== '' && Number.isFinite(s.tensor.sum().dataSync()[0])));
    model.dispose();
    session.dispose();
  });

  it('resumes from its own checkpoint exactly as the uninterrupted run goes, dropout included', async () => {
    const config = aConfig({
      dropout: 0.2,
      recurrentDropout: 0.2,
      layers: 2,
      hiddenUnits: [8, 8],
    });
    const straight = await NativeTrialSession.open(data, config, 3, OBJECTIVE);
    await straight.trainNextEpoch();
    const bytes = await straight.checkpoint();
    const expected = [await straight.trainNextEpoch(), await straight.trainNextEpoch()];
    const resumed = await NativeTrialSession.open(data, config, 3, OBJECTIVE, decodeCheckpoint(bytes));
    assert.equal(resumed.epoch, 1);
    const actual = [await resumed.trainNextEpoch(), await resumed.trainNextEpoch()];
    assert.deepEqual(
      actual.map((m) => [m.loss, m.val_loss]),
      expected.map((m) => [m.loss, m.val_loss]),
    );
    straight.dispose();
    resumed.dispose();
  });

  it('resumes a tfjs checkpoint with its optimizer state and continues as tfjs would', async () => {
    const tfjs = await TrialSession.open(data, aConfig(), 8, OBJECTIVE);
    await tfjs.trainNextEpoch();
    const bytes = await tfjs.checkpoint();
    const expected = await tfjs.trainNextEpoch();
    const native = await NativeTrialSession.open(data, aConfig(), 8, OBJECTIVE, decodeCheckpoint(bytes));
    const actual = await native.trainNextEpoch();
    assert.ok(relativeGap(actual.loss, expected.loss) < 1e-3, `loss ${actual.loss} vs tfjs ${expected.loss}`);
    // Without Adam's moments and step count the first steps would be far larger: the loss would not match this closely.
    const fresh = await NativeTrialSession.open(data, aConfig(), 8, OBJECTIVE, {
      ...decodeCheckpoint(bytes),
    });
    (fresh as unknown as { net: { setIterations(n: number): void } }).net.setIterations(0);
    const withoutState = await fresh.trainNextEpoch();
    assert.ok(relativeGap(withoutState.loss, expected.loss) > relativeGap(actual.loss, expected.loss));
    tfjs.dispose();
    native.dispose();
    fresh.dispose();
  });

  it('writes checkpoints that the tfjs path resumes, continuing as the engine does', async () => {
    const native = await NativeTrialSession.open(data, aConfig(), 9, OBJECTIVE);
    await native.trainNextEpoch();
    const bytes = await native.checkpoint();
    const expected = await native.trainNextEpoch();
    const tfjs = await TrialSession.open(data, aConfig(), 9, OBJECTIVE, decodeCheckpoint(bytes));
    assert.equal(tfjs.epoch, 1);
    const actual = await tfjs.trainNextEpoch();
    assert.ok(relativeGap(actual.loss, expected.loss) < 1e-3, `tfjs loss ${actual.loss} vs engine ${expected.loss}`);
    native.dispose();
    tfjs.dispose();
  });

  const CASES: { label: string; change: Parameters<typeof aConfig>[0] }[] = [
    { label: 'gru', change: { cell: 'gru' } },
    { label: 'rnn', change: { cell: 'rnn' } },
    { label: 'gru under lstm', change: { cell: ['gru', 'lstm'], layers: 2, hiddenUnits: [8, 6] } },
    { label: 'rnn under gru', change: { cell: ['rnn', 'gru'], layers: 2, hiddenUnits: [8, 6] } },
    { label: 'sgd with momentum, cosine after a warm-up', change: { optimizer: 'sgd', momentum: 0.9, learningRate: 0.05, lrSchedule: 'cosine', warmupEpochs: 1 } },
    { label: 'plain sgd with L2 weight decay', change: { optimizer: 'sgd', weightDecay: 0.01, learningRate: 0.05 } },
    { label: 'rmsprop with momentum, step decay and clipping', change: { optimizer: 'rmsprop', momentum: 0.5, lrSchedule: 'step', lrStepEpochs: 1, clipNorm: 0.5 } },
    { label: 'adamw on a gru, plateau', change: { cell: 'gru', optimizer: 'adamw', weightDecay: 0.05, lrSchedule: 'plateau', lrPatience: 1 } },
    { label: 'bidirectional gru under rnn', change: { cell: ['gru', 'rnn'], bidirectional: true, layers: 2, hiddenUnits: [6, 4] } },
  ];
  for (const { label, change } of CASES) {
    it(`${label}: matches tfjs's first epoch, and a checkpoint of either engine resumes on the other as it would have gone on`, async () => {
      const config = aConfig(change);
      const native = await NativeTrialSession.open(data, config, 12, OBJECTIVE);
      const tfjs = await TrialSession.open(data, config, 12, OBJECTIVE);
      const classOf = (layer: tf.layers.Layer): string =>
        layer.getClassName() === 'Bidirectional' ? `Bidirectional(${(layer as unknown as { forwardLayer: tf.layers.Layer }).forwardLayer.getClassName()})` : layer.getClassName();
      const layerClasses = tfjs.model.layers.map(classOf);
      const cells = [change?.cell ?? 'lstm'].flat().map((c) => ({ lstm: 'LSTM', gru: 'GRU', rnn: 'SimpleRNN' })[String(c)]);
      assert.deepEqual(layerClasses.slice(0, -1), change?.bidirectional ? cells.map((c) => `Bidirectional(${c})`) : cells);
      const [ours, theirs] = [await native.trainNextEpoch(), await tfjs.trainNextEpoch()];
      assert.equal(ours.param_count, theirs.param_count);
      assert.equal(ours.learning_rate, theirs.learning_rate);
      assert.ok(relativeGap(ours.loss, theirs.loss) < 1e-3, `loss ${ours.loss} vs tfjs ${theirs.loss}`);
      assert.ok(relativeGap(ours.val_mae, theirs.val_mae) < 1e-3, `val_mae ${ours.val_mae} vs tfjs ${theirs.val_mae}`);
      const [fromNative, fromTfjs] = [decodeCheckpoint(await native.checkpoint()), decodeCheckpoint(await tfjs.checkpoint())];
      const [nativeNext, tfjsNext] = [await native.trainNextEpoch(), await tfjs.trainNextEpoch()];
      const onTfjs = await TrialSession.open(data, config, 12, OBJECTIVE, fromNative);
      const onNative = await NativeTrialSession.open(data, config, 12, OBJECTIVE, fromTfjs);
      const [tfjsResumed, nativeResumed] = [await onTfjs.trainNextEpoch(), await onNative.trainNextEpoch()];
      assert.equal(onTfjs.epoch, 2);
      assert.equal(tfjsResumed.learning_rate, nativeNext.learning_rate);
      assert.ok(relativeGap(tfjsResumed.loss, nativeNext.loss) < 1e-3, `tfjs resuming the engine: loss ${tfjsResumed.loss} vs ${nativeNext.loss}`);
      assert.ok(relativeGap(nativeResumed.loss, tfjsNext.loss) < 1e-3, `the engine resuming tfjs: loss ${nativeResumed.loss} vs ${tfjsNext.loss}`);
      for (const session of [native, tfjs, onTfjs, onNative]) session.dispose();
    });
  }

  it('scores a checkpoint on the test split as tfjs loading that checkpoint does, whatever it trains on since', async () => {
    const native = await NativeTrialSession.open(data, aConfig({ layers: 2, dropout: 0.1 }), 13, OBJECTIVE);
    await native.trainNextEpoch();
    const first = await native.checkpoint();
    await native.trainNextEpoch();
    const ours = await native.scoreOnTest(async () => first);
    const tfjs = await scoreCheckpointOnTest(data, first);
    assert.deepEqual(Object.keys(ours.metrics).sort(), ['seasonal_naive_test_mae', 'test_loss', 'test_mae']);
    assert.deepEqual(Object.keys(ours.metrics).sort(), Object.keys(tfjs.metrics).sort());
    for (const [name, value] of Object.entries(tfjs.metrics))
      assert.ok(relativeGap(ours.metrics[name], value) < 1e-4, `${name}: ${ours.metrics[name]} vs tfjs ${value}`);
    assert.equal(ours.confusion, null);
    const now = await native.scoreOnTest(() => native.checkpoint());
    assert.notEqual(now.metrics.test_mae, ours.metrics.test_mae, "the second epoch's weights score otherwise");
    const other = await NativeTrialSession.open(data, aConfig({ hiddenUnits: 4 }), 13, OBJECTIVE);
    await assert.rejects(
      () => native.scoreOnTest(() => other.checkpoint()),
      /the best checkpoint's weights are \[5x16, 4x16, 16, 4x1, 1\]; this trial's network has \[5x32, 8x32, 32, .*\]/,
    );
    for (const session of [native, other]) session.dispose();
  });

  it('classifies first names as tfjs does: accuracy, macro-F1 and the baselines, on validation and on the test split', async () => {
    const names = trainingDataFor({ source: 'builtin', name: 'first-names', maxLength: 12, validationSplit: 0.2, testSplit: 0.1 });
    const config = aConfig({ cell: 'gru', hiddenUnits: 8 });
    const objective = { metric: 'val_accuracy', direction: 'maximize' } as const;
    const native = await NativeTrialSession.open(names, config, 6, objective);
    const tfjs = await TrialSession.open(names, config, 6, objective);
    const [ours, theirs] = [await native.trainNextEpoch(), await tfjs.trainNextEpoch()];
    assert.deepEqual(Object.keys(ours).sort(), Object.keys(theirs).sort());
    for (const name of ['val_accuracy', 'val_macro_f1', 'majority_val_accuracy', 'bag_of_chars_val_macro_f1']) assert.ok(name in ours, name);
    assert.ok(relativeGap(ours.loss, theirs.loss) < 1e-3, `loss ${ours.loss} vs tfjs ${theirs.loss}`);
    assert.ok(Math.abs(ours.val_accuracy - theirs.val_accuracy) <= 2 / names.valX.shape[0], `val_accuracy ${ours.val_accuracy} vs tfjs ${theirs.val_accuracy}`);
    assert.equal(native.bestMetric, ours.val_accuracy, 'the best of a maximised objective');
    const { metrics: test, confusion } = await native.scoreOnTest(() => native.checkpoint());
    assert.deepEqual(confusion?.classes, ['female', 'male']);
    assert.equal(confusion?.counts.flat().reduce((a, b) => a + b, 0), names.testX.shape[0], 'every test row is counted once');
    assert.deepEqual(Object.keys(test).sort(), ['bag_of_chars_test_accuracy', 'bag_of_chars_test_macro_f1', 'majority_test_accuracy', 'majority_test_macro_f1', 'test_accuracy', 'test_loss', 'test_macro_f1']);
    assert.ok(test.test_accuracy > test.majority_test_accuracy, `one epoch of 8 GRU units beats the majority class: ${JSON.stringify(test)}`);
    const byTfjs = await scoreCheckpointOnTest(names, await native.checkpoint());
    assert.ok(
      Math.abs(test.test_accuracy - byTfjs.metrics.test_accuracy) <= 2 / names.testX.shape[0],
      `test_accuracy ${test.test_accuracy} vs tfjs loading the checkpoint ${byTfjs.metrics.test_accuracy}`,
    );
    native.dispose();
    tfjs.dispose();
  });

  it('leaves a model it does not build (a checkpoint of another topology) to the tfjs path, saying why', async () => {
    const other = tf.sequential({
      layers: [
        tf.layers.conv1d({
          filters: 4,
          kernelSize: 3,
          inputShape: [7, data.featureCount],
        }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1 }),
      ],
    });
    other.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const checkpoint = decodeCheckpoint(await encodeCheckpoint(other, { epoch: 1, seed: 1, bestMetric: null }));
    await assert.rejects(() => NativeTrialSession.open(data, aConfig(), 1, OBJECTIVE, checkpoint), /the native engine does not support Conv1D, Flatten layers/);
    const selected = await selectTrainingEngine({
      ...process.env,
      TRAIN_ENGINE: 'native',
    });
    const opened = await openLstmSession(selected, data, aConfig(), 1, OBJECTIVE, checkpoint);
    assert.ok(opened.session instanceof TrialSession);
    assert.equal(opened.backend, selected.tfjs.name);
    assert.match(opened.fallbackReason ?? '', /Conv1D/);
    opened.session.dispose();
    other.dispose();
  });

  it('gives the same losses for the same seed with dropout, others for another seed', async () => {
    const config = aConfig({ dropout: 0.3, recurrentDropout: 0.3 });
    const lossesOf = async (seed: number) => {
      const session = await NativeTrialSession.open(data, config, seed, OBJECTIVE);
      const losses = [(await session.trainNextEpoch()).loss, (await session.trainNextEpoch()).loss];
      session.dispose();
      return losses;
    };
    const [a, b, c] = [await lossesOf(7), await lossesOf(7), await lossesOf(8)];
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('fails a trial on non-finite data with NonFiniteLossError, naming the bad input', async () => {
    const broken = forecastData(singleColumnSeries(Array.from({ length: 200 }, (_, t) => (t === 50 ? NaN : t))), {
      window: 5,
      horizon: 1,
      validationSplit: 0.2,
      testSplit: 0.1,
      output: 'level',
    });
    const session = await NativeTrialSession.open(broken, aConfig(), 6, OBJECTIVE);
    await assert.rejects(
      () => session.trainNextEpoch(),
      (error: Error) => error instanceof NonFiniteLossError && /must be finite/.test(error.message),
    );
    session.dispose();
  });

  it('trains the character model and reports bits per character', async () => {
    const text = textData(sotuCorpus(3_000), {
      window: 16,
      maxChars: 3_000,
      validationSplit: 0.2,
      testSplit: 0.1,
    });
    const config = aConfig({ hiddenUnits: 16, batchSize: 128 });
    const native = await NativeTrialSession.open(text, config, 1, {
      metric: 'val_bpc',
      direction: 'minimize',
    });
    const reference = await TrialSession.open(text, config, 1, {
      metric: 'val_bpc',
      direction: 'minimize',
    });
    const [ours, theirs] = [await native.trainNextEpoch(), await reference.trainNextEpoch()];
    assert.ok(ours.val_bpc > 0 && ours.val_bpc < 8, `val_bpc ${ours.val_bpc}`);
    assert.ok(Math.abs(ours.val_bpc - ours.val_loss / Math.log(2)) < 1e-9);
    assert.ok(relativeGap(ours.loss, theirs.loss) < 1e-3, `loss ${ours.loss} vs tfjs ${theirs.loss}`);
    native.dispose();
    reference.dispose();
  });

  it('is what openLstmSession opens on the native engine, and TRAIN_ENGINE picks the engine', async () => {
    const selected = await selectTrainingEngine({
      ...process.env,
      TRAIN_ENGINE: 'native',
      TRAIN_ENGINE_THREADS: '1',
    });
    assert.equal(selected.name, 'native-cpu');
    const opened = await openLstmSession(selected, data, aConfig(), 1, OBJECTIVE);
    assert.ok(opened.session instanceof NativeTrialSession);
    assert.equal(opened.backend, 'native-cpu');
    opened.session.dispose();
    const forcedTfjs = await selectTrainingEngine({
      ...process.env,
      TRAIN_ENGINE: 'tfjs',
    });
    assert.equal(forcedTfjs.kind, 'tfjs');
    assert.equal(forcedTfjs.name, forcedTfjs.tfjs.name);
    const onTfjs = await openLstmSession(forcedTfjs, data, aConfig(), 1, OBJECTIVE);
    assert.ok(onTfjs.session instanceof TrialSession);
    assert.equal(onTfjs.backend, forcedTfjs.tfjs.name);
    onTfjs.session.dispose();
    await assert.rejects(() => selectTrainingEngine({ ...process.env, TRAIN_ENGINE: 'gpu' }), /TRAIN_ENGINE 'gpu' is not one of auto, native-cuda, native, tfjs/);
  });
});

const cudaEngine = loadCudaEngine();
describe('NativeTrialSession on the CUDA engine', { skip: cudaEngine.available ? (engine.available ? false : `the CPU engine is not available: ${engine.reason}`) : cudaEngine.reason }, () => {
  const births = () => forecastData(usBirthsSeries(), { window: 7, horizon: 1, validationSplit: 0.2, testSplit: 0.1, output: 'level' });
  let data: ReturnType<typeof births>;
  before(async () => {
    await selectBackend(process.env.TF_BACKEND ?? 'wasm');
    data = births();
  });

  it("trains an epoch as the CPU engine does, and its checkpoint resumes on the CPU engine as it would have gone on", async () => {
    const selected = await selectTrainingEngine({ ...process.env, TRAIN_ENGINE: 'native-cuda' });
    assert.equal(selected.name, 'native-cuda');
    const config = aConfig({ cell: ['gru', 'lstm'], layers: 2, hiddenUnits: [8, 6] });
    const onGpu = await openLstmSession(selected, data, config, 21, OBJECTIVE);
    assert.equal(onGpu.backend, 'native-cuda');
    const onCpu = await NativeTrialSession.open(data, config, 21, OBJECTIVE);
    const [ours, theirs] = [await onGpu.session.trainNextEpoch(), await onCpu.trainNextEpoch()];
    assert.ok(relativeGap(ours.loss, theirs.loss) < 1e-3, `loss ${ours.loss} vs the CPU engine's ${theirs.loss}`);
    assert.ok(relativeGap(ours.val_mae, theirs.val_mae) < 1e-3, `val_mae ${ours.val_mae} vs ${theirs.val_mae}`);
    const checkpoint = decodeCheckpoint(await onGpu.session.checkpoint());
    const [gpuNext, resumed] = [await onGpu.session.trainNextEpoch(), await (await NativeTrialSession.open(data, config, 21, OBJECTIVE, checkpoint)).trainNextEpoch()];
    assert.ok(relativeGap(resumed.loss, gpuNext.loss) < 1e-3, `the CPU engine resuming the GPU's checkpoint: ${resumed.loss} vs ${gpuNext.loss}`);
    onGpu.session.dispose();
    onCpu.dispose();
  });

  it('leaves what it does not train yet (bidirectional layers, dropout) to the tfjs path, saying why', async () => {
    const selected = await selectTrainingEngine({ ...process.env, TRAIN_ENGINE: 'native-cuda' });
    const opened = await openLstmSession(selected, data, aConfig({ dropout: 0.2 }), 1, OBJECTIVE);
    assert.match(opened.fallbackReason ?? '', /dropout is not supported by the CUDA engine yet/);
    assert.ok(opened.session instanceof TrialSession);
    opened.session.dispose();
  });
});
