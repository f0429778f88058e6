import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { aBatch, relativeGap } from '../test/support/batches';
import { copyWeightsToNet, tfjsInput, tfjsLossAndGradients, tfjsModel, tfjsOptimizer, tfjsStep } from '../test/support/tfjs-reference';
import { loadEngine, type LstmNetOptions, type NativeLstmNet } from './native';

const engine = loadEngine();
const skip = engine.available ? false : `the native engine is not available: ${engine.reason}`;

const FORECAST: LstmNetOptions = {
  task: 'forecast',
  timesteps: 7,
  inputSize: 3,
  hiddenUnits: [6, 5],
  outputs: 2,
  learningRate: 0.01,
};
const TEXT: LstmNetOptions = {
  task: 'text',
  timesteps: 6,
  inputSize: 11,
  embeddingDim: 4,
  hiddenUnits: [7],
  outputs: 11,
  learningRate: 0.01,
};
/** Ids in, one of three classes out. */
const CLASSIFY: LstmNetOptions = { task: 'classify', timesteps: 6, inputSize: 11, embeddingDim: 4, hiddenUnits: [7], outputs: 3, learningRate: 0.01 };
/** Rows of four features in, one of three classes out (no embedding). */
const CLASSIFY_SERIES: LstmNetOptions = { task: 'classify', timesteps: 5, inputSize: 4, hiddenUnits: [8], outputs: 3, learningRate: 0.01 };
/** Every cell, alone and stacked on another, on every task. */
const CELL_CASES: { label: string; options: LstmNetOptions }[] = [
  { label: 'gru forecast', options: { ...FORECAST, cells: ['gru', 'gru'] } },
  { label: 'rnn forecast', options: { ...FORECAST, cells: ['rnn', 'rnn'] } },
  {
    label: 'gru over lstm forecast',
    options: { ...FORECAST, cells: ['lstm', 'gru'] },
  },
  {
    label: 'rnn over gru forecast',
    options: { ...FORECAST, cells: ['gru', 'rnn'] },
  },
  { label: 'gru text', options: { ...TEXT, cells: ['gru'] } },
  { label: 'rnn text', options: { ...TEXT, cells: ['rnn'] } },
  { label: 'gru classify', options: { ...CLASSIFY, cells: ['gru'] } },
  { label: 'bidirectional lstm forecast', options: { ...FORECAST, bidirectional: true } },
  { label: 'bidirectional gru under rnn forecast', options: { ...FORECAST, cells: ['gru', 'rnn'], bidirectional: true } },
  { label: 'bidirectional gru classify', options: { ...CLASSIFY, cells: ['gru'], bidirectional: true } },
  { label: 'bidirectional rnn text, two layers', options: { ...TEXT, hiddenUnits: [5, 4], cells: ['rnn', 'rnn'], bidirectional: true } },
  { label: 'lstm under rnn classify', options: { ...CLASSIFY, hiddenUnits: [5, 4], cells: ['lstm', 'rnn'] } },
  { label: 'lstm classify of feature rows', options: CLASSIFY_SERIES },
  { label: 'bidirectional gru classify of feature rows, two layers', options: { ...CLASSIFY_SERIES, hiddenUnits: [4, 5], cells: ['gru', 'lstm'], bidirectional: true } },
];

function newNet(options: LstmNetOptions, seed = 1): { net: NativeLstmNet; model: tf.LayersModel } {
  if (!engine.available) throw new Error('unreachable: the suite is skipped');
  const net = new engine.addon.LstmNet(options);
  const model = tfjsModel(options, seed);
  copyWeightsToNet(model, net);
  return { net, model };
}

describe('lstm-engine', { skip }, () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const { label, options } of [{ label: 'lstm forecast', options: FORECAST }, { label: 'lstm text', options: TEXT }, ...CELL_CASES]) {
    it(`${label}: loss and every gradient equal tfjs's for the same weights and batch (1e-4 relative)`, () => {
      const { net, model } = newNet(options);
      const { x, y } = aBatch(options, 9);
      const loss = net.lossAndGradients(x, y, null);
      const reference = tfjsLossAndGradients(model, options, x, y, 9);
      assert.ok(Math.abs(loss - reference.loss) <= 1e-4 * Math.abs(reference.loss), `loss ${loss} vs tfjs ${reference.loss}`);
      net.paramInfo().forEach((param, i) => {
        const gap = relativeGap(net.getGradient(i), reference.grads[i]);
        assert.ok(gap <= 1e-4, `${param.name}: gradient differs from tfjs's by ${gap.toExponential(2)} relative`);
      });
      model.dispose();
    });

    it(`${label}: gradients agree with central finite differences of the loss`, () => {
      const { net, model } = newNet(options, 2);
      const { x, y } = aBatch(options, 5, 3);
      net.lossAndGradients(x, y, null);
      const gradients = net.paramInfo().map((_, i) => net.getGradient(i));
      let seed = 17;
      const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
      net.paramInfo().forEach((param, i) => {
        // The derivative along a random direction, one tensor at a time, in float64 bookkeeping.
        const original = net.getParam(i);
        const direction = Float64Array.from(original, () => random());
        const h = 1e-2;
        const lossAt = (step: number) => {
          net.setParam(
            i,
            Float32Array.from(original, (w, k) => w + step * direction[k]),
          );
          return net.lossAndGradients(x, y, null);
        };
        // Richardson's extrapolation of two central differences cancels their h^2 error (tanh's curvature
        // through the recurrence), which a smaller h would trade for float32 rounding of the loss.
        const central = (step: number) => (lossAt(step) - lossAt(-step)) / (2 * step);
        const numeric = (4 * central(h / 2) - central(h)) / 3;
        net.setParam(i, original);
        const analytic = gradients[i].reduce((sum, g, k) => sum + g * direction[k], 0);
        assert.ok(
          Math.abs(numeric - analytic) <= 2e-3 * Math.max(Math.abs(analytic), 1e-2),
          `${param.name}: finite difference ${numeric}, gradient ${analytic}`,
        );
      });
      model.dispose();
    });
  }

  for (const cells of [undefined, ['gru', 'gru'], ['rnn', 'lstm']] as const) {
    it(`takes the same Adam steps as tfjs (${cells?.join(' + ') ?? 'lstm'}: weights after three steps, 1e-4 relative)`, async () => {
      const options = { ...FORECAST, cells: cells && [...cells] };
      const { net, model } = newNet(options, 4);
      for (let step = 0; step < 3; step++) {
        const { x, y } = aBatch(options, 8, step);
        const input = tfjsInput(options, x, 8);
        const target = tf.tensor2d(y, [8, options.outputs]);
        await model.trainOnBatch(input, target);
        tf.dispose([input, target]);
        net.trainBatch(x, y, null, 0);
      }
      assert.equal(net.getIterations(), 3);
      model.getWeights().forEach((w, i) => {
        const gap = relativeGap(net.getParam(i), w.dataSync());
        assert.ok(gap <= 1e-4, `${net.paramInfo()[i].name} differs from tfjs's by ${gap.toExponential(2)} after 3 Adam steps`);
      });
      model.dispose();
    });
  }

  const OPTIMIZER_CASES: { label: string; options: Partial<LstmNetOptions> }[] = [
    { label: 'sgd', options: { optimizer: 'sgd', learningRate: 0.05 } },
    { label: 'sgd with momentum 0.9', options: { optimizer: 'sgd', momentum: 0.9, learningRate: 0.05 } },
    { label: 'rmsprop', options: { optimizer: 'rmsprop' } },
    { label: 'rmsprop with momentum 0.5', options: { optimizer: 'rmsprop', momentum: 0.5 } },
    { label: 'adam with L2 weight decay', options: { optimizer: 'adam', weightDecay: 0.1 } },
    { label: 'adamw (decoupled weight decay)', options: { optimizer: 'adamw', weightDecay: 0.1 } },
    { label: 'sgd with momentum and L2 weight decay', options: { optimizer: 'sgd', momentum: 0.5, weightDecay: 0.05, learningRate: 0.05 } },
  ];
  for (const { label, options: change } of OPTIMIZER_CASES) {
    it(`steps as tfjs's optimizer does: ${label} (weights after four steps, 1e-4 relative)`, () => {
      const options: LstmNetOptions = { ...FORECAST, cells: ['gru', 'lstm'], ...change };
      const { net, model } = newNet(options, 14);
      const optimizer = tfjsOptimizer(options);
      for (let step = 0; step < 4; step++) {
        const { x, y } = aBatch(options, 8, step);
        tfjsStep(model, optimizer, options, x, y, 8);
        net.trainBatch(x, y, null, 0);
      }
      assert.equal(net.getIterations(), 4);
      model.getWeights().forEach((w, i) => {
        const gap = relativeGap(net.getParam(i), w.dataSync());
        assert.ok(gap <= 1e-4, `${net.paramInfo()[i].name} differs from tfjs's by ${gap.toExponential(2)} after 4 steps`);
      });
      optimizer.dispose();
      model.dispose();
    });
  }

  it('clips the global gradient norm when asked', () => {
    const clipped = newNet({ ...FORECAST, clipNorm: 1e-3 }, 5);
    const free = newNet(FORECAST, 5);
    const { x, y } = aBatch(FORECAST, 8);
    const before = clipped.net.getParam(0);
    clipped.net.trainBatch(x, y, null, 0);
    free.net.trainBatch(x, y, null, 0);
    // Adam normalises the step size, so the first step's size is the same; the moments show the scale.
    const firstMoment = (n: NativeLstmNet) => Math.hypot(...n.paramInfo().flatMap((_, i) => Array.from(n.getAdamMoments(i).m)));
    assert.ok(Math.abs(firstMoment(clipped.net) - 0.1 * 1e-3) < 1e-8, `clipped first moment norm ${firstMoment(clipped.net)}`);
    assert.ok(firstMoment(free.net) > 10 * firstMoment(clipped.net));
    assert.notDeepEqual(clipped.net.getParam(0), before);
    clipped.model.dispose();
    free.model.dispose();
  });

  it('gives the same losses for the same dropout seed, others for another', () => {
    const options = { ...FORECAST, dropout: 0.3, recurrentDropout: 0.3 };
    const losses = (seedOf: (step: number) => number) => {
      const { net, model } = newNet(options, 6);
      model.dispose();
      return Array.from({ length: 5 }, (_, step) => {
        const { x, y } = aBatch(options, 8, step);
        return net.trainBatch(x, y, null, seedOf(step));
      });
    };
    const [a, b, c] = [losses((s) => 100 + s), losses((s) => 100 + s), losses((s) => 200 + s)];
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  for (const cells of [undefined, ['gru'], ['rnn']] as const) {
    it(`continues from saved weights, moments and step count exactly as an uninterrupted run (${cells?.[0] ?? 'lstm'}, with dropout)`, () => {
      const options = {
        ...TEXT,
        dropout: 0.2,
        recurrentDropout: 0.1,
        cells: cells && [...cells],
      };
      const straight = newNet(options, 7);
      const step = (net: NativeLstmNet, k: number) => {
        const { x, y } = aBatch(options, 6, k);
        return net.trainBatch(x, y, null, 1000 + k);
      };
      for (let k = 0; k < 4; k++) step(straight.net, k);
      const resumed = newNet(options, 99);
      straight.net.paramInfo().forEach((_, i) => {
        resumed.net.setParam(i, straight.net.getParam(i));
        const { m, v } = straight.net.getAdamMoments(i);
        resumed.net.setAdamMoments(i, m, v);
      });
      resumed.net.setIterations(straight.net.getIterations());
      const expected = [4, 5, 6].map((k) => step(straight.net, k));
      const actual = [4, 5, 6].map((k) => step(resumed.net, k));
      assert.deepEqual(actual, expected);
      straight.model.dispose();
      resumed.model.dispose();
    });
  }

  it('throws Errors with a message for non-finite inputs, bad ids and shape mismatches, and keeps working', () => {
    const { net, model } = newNet(FORECAST);
    model.dispose();
    const { x, y } = aBatch(FORECAST, 4);
    const withNaN = x.slice();
    withNaN[FORECAST.timesteps * FORECAST.inputSize + 4] = NaN;
    assert.throws(() => net.trainBatch(withNaN, y, null, 0), {
      name: 'Error',
      message: /x of sample 1 holds nan \(step 1, feature 1\); inputs must be finite/,
    });
    const withInfinity = y.slice();
    withInfinity[3] = Infinity;
    assert.throws(() => net.trainBatch(x, withInfinity, null, 0), /y of sample 1 holds inf; targets must be finite/);
    assert.throws(() => net.trainBatch(x.subarray(1), y, null, 0), /x has 83 values, not a whole number of samples of 21 \(7 steps x 3 features\)/);
    assert.throws(() => net.trainBatch(x, y.subarray(1), null, 0), /y has 7 values; x's 4 samples need 8/);
    assert.throws(() => net.trainBatch(x, y, Int32Array.from([0, 9]), 0), /sample index 9 is outside the 4 samples of x/);
    assert.throws(() => net.trainBatch(x, y, [0, 1] as unknown as Int32Array, 0), /indices must be an Int32Array or null/);
    assert.throws(() => net.setParam(0, new Float32Array(3)), /weights for 'lstm_1\/kernel' has 3 values; it needs 72/);
    assert.throws(
      () =>
        net.setParam(
          0,
          Float32Array.from({ length: 72 }, () => NaN),
        ),
      /non-finite value/,
    );
    assert.throws(() => net.getParam(42), /parameter index 42 is outside \[0, 8\)/);
    const refused = (options: unknown) => () => new (engine as { addon: { LstmNet: new (o: unknown) => unknown } }).addon.LstmNet(options);
    assert.throws(refused({ ...FORECAST, hiddenUnits: [0] }), /hiddenUnits\[0\] must be an integer/);
    assert.throws(refused({ ...FORECAST, task: 'audio' }), /option 'task' must be 'forecast', 'text' or 'classify'/);
    assert.throws(refused({ ...FORECAST, cells: ['gru', 'lstmx'] }), /cells\[1\] must be 'lstm', 'gru' or 'rnn'/);
    assert.throws(refused({ ...FORECAST, cells: ['gru'] }), /cells names 1 layers, hiddenUnits 2: give one cell per layer/);
    assert.throws(refused({ ...FORECAST, cells: 'gru' }), /option 'cells' must be an array/);
    assert.throws(refused({ ...FORECAST, optimizer: 'adagrad' }), /option 'optimizer' must be 'adam', 'adamw', 'sgd' or 'rmsprop'/);
    assert.throws(refused({ ...FORECAST, momentum: 1 }), /momentum must be in \[0, 1\)/);
    assert.throws(refused({ ...FORECAST, weightDecay: -1 }), /weightDecay must be 0 or positive/);
    const text = newNet(TEXT);
    text.model.dispose();
    const batch = aBatch(TEXT, 3);
    batch.x[2] = 11;
    assert.throws(() => text.net.trainBatch(batch.x, batch.y, null, 0), /x of sample 0 holds 11.* not a character id in \[0, 11\)/);
    assert.ok(Number.isFinite(net.trainBatch(x, y, null, 0)), 'the network still trains after rejected calls');
    net.release();
    assert.throws(() => net.getIterations(), /this LstmNet was released/);
  });

  it('trains batches off the event loop with trainBatchesAsync: the same losses as trainBatch, errors as rejections naming the batch, other calls refused meanwhile', async () => {
    const a = newNet(FORECAST, 8);
    const b = newNet(FORECAST, 8);
    a.model.dispose();
    b.model.dispose();
    const { x, y } = aBatch(FORECAST, 8, 0);
    const order = Int32Array.of(5, 1, 7, 0, 2, 6, 4, 3);
    const seeds = Float64Array.of(11, 12, 13);
    const sync = [order.subarray(0, 3), order.subarray(3, 6), order.subarray(6)].map((rows, k) => a.net.trainBatch(x, y, rows, seeds[k]));
    const pending = b.net.trainBatchesAsync(x, y, order, 3, seeds);
    assert.throws(() => b.net.getParam(0), /this LstmNet is training \(trainBatchesAsync\); await it first/);
    assert.deepEqual([...(await pending)], sync);
    assert.deepEqual(b.net.getParam(0), a.net.getParam(0), 'the same weights after the same steps');
    assert.equal((await b.net.trainBatchesAsync(x, y, null, 8, Float64Array.of(1))).length, 1, 'null order: every sample, in order');

    const withNaN = x.slice();
    withNaN[3 * 7 * 3] = NaN; // sample 3 (7 steps x 3 features a row): the third batch's
    await assert.rejects(() => b.net.trainBatchesAsync(withNaN, y, order, 3, seeds), { name: 'Error', message: /inputs must be finite/, batch: 2 });
    // Bad arguments throw at the call, before anything trains.
    assert.throws(() => b.net.trainBatchesAsync(x, y, order, 3, Float64Array.of(1)), /dropoutSeeds has 1 values; 3 batches need one each/);
    assert.throws(() => b.net.trainBatchesAsync(x, y, order, 0, seeds), /batchSize must be a positive integer/);
    assert.throws(() => b.net.trainBatchesAsync(x, y, order, 3, [1, 2, 3] as unknown as Float64Array), /dropoutSeeds must be a Float64Array/);
    assert.ok(Number.isFinite((await b.net.trainBatchesAsync(x, y, order, 8, Float64Array.of(0)))[0]), 'usable after a rejection');
    // Two networks step at the same time, one on each libuv thread.
    const both = await Promise.all([a.net, b.net].map((net) => net.trainBatchesAsync(x, y, order, 4, Float64Array.of(1, 2))));
    assert.ok(both.every((losses) => losses.length === 2 && losses.every(Number.isFinite)));
  });

  it('keeps its resident memory flat over 1,000 training steps', () => {
    const { net, model } = newNet({
      ...FORECAST,
      hiddenUnits: [32, 32],
      dropout: 0.1,
    });
    model.dispose();
    const { x, y } = aBatch(FORECAST, 64);
    const run = (steps: number) => {
      for (let k = 0; k < steps; k++) net.trainBatch(x, y, null, k);
    };
    run(100);
    global.gc?.();
    const start = process.memoryUsage().rss;
    run(1000);
    global.gc?.();
    const growth = process.memoryUsage().rss - start;
    assert.ok(growth < 8 * 1024 * 1024, `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB over 1,000 steps`);
  });
});
