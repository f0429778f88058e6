import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { aBatch, relativeGap } from '../test/support/batches';
import { copyWeightsToNet, tfjsModel } from '../test/support/tfjs-reference';
import { loadCudaEngine } from './cuda';
import { loadEngine, type LstmNetOptions, type NativeLstmNet } from './native';

// The CUDA engine against the CPU engine (itself checked against tfjs): the same weights and batch give the same
// loss and gradients, the same steps the same weights, and a network moves between the two with its optimizer
// state. Runs where a GPU is (bench/gpu-check.sh); elsewhere it says why it is skipped.
const cuda = loadCudaEngine();
const cpu = loadEngine();
const skip = !cuda.available ? cuda.reason : !cpu.available ? cpu.reason : false;
/** The GPU sums in another order (cuBLAS, float atomics-free reductions): the bound. */
const TOLERANCE = 1e-3;

const CASES: { label: string; options: LstmNetOptions }[] = [
  { label: 'lstm forecast, two layers', options: { task: 'forecast', timesteps: 7, inputSize: 3, hiddenUnits: [6, 5], outputs: 2, learningRate: 0.01 } },
  { label: 'gru forecast', options: { task: 'forecast', timesteps: 9, inputSize: 4, hiddenUnits: [8], cells: ['gru'], outputs: 1, learningRate: 0.01 } },
  { label: 'rnn over gru forecast', options: { task: 'forecast', timesteps: 6, inputSize: 2, hiddenUnits: [5, 7], cells: ['gru', 'rnn'], outputs: 3, learningRate: 0.01 } },
  { label: 'lstm text', options: { task: 'text', timesteps: 6, inputSize: 11, embeddingDim: 4, hiddenUnits: [7], outputs: 11, learningRate: 0.01 } },
  { label: 'gru classify of ids', options: { task: 'classify', timesteps: 6, inputSize: 11, embeddingDim: 4, hiddenUnits: [7], cells: ['gru'], outputs: 3, learningRate: 0.01 } },
  { label: 'lstm classify of feature rows', options: { task: 'classify', timesteps: 5, inputSize: 4, hiddenUnits: [8], outputs: 3, learningRate: 0.01 } },
  { label: 'W1-sized lstm', options: { task: 'forecast', timesteps: 50, inputSize: 8, hiddenUnits: [64], outputs: 1, learningRate: 0.001 } },
];

/** The same network on both engines, with the same (seeded tfjs) weights. */
function twins(options: LstmNetOptions, seed = 1): { gpu: NativeLstmNet; host: NativeLstmNet } {
  if (!cuda.available || !cpu.available) throw new Error('unreachable: the suite is skipped');
  const model = tfjsModel(options, seed);
  const gpu = new cuda.addon.LstmNet(options);
  const host = new cpu.addon.LstmNet(options);
  copyWeightsToNet(model, gpu);
  copyWeightsToNet(model, host);
  model.dispose();
  return { gpu, host };
}

describe('lstm-engine on CUDA', { skip }, () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const { label, options } of CASES) {
    it(`${label}: loss and every gradient equal the CPU engine's for the same weights and batch (1e-3 relative)`, () => {
      const { gpu, host } = twins(options);
      const { x, y } = aBatch(options, 32);
      const [ours, theirs] = [gpu.lossAndGradients(x, y, null), host.lossAndGradients(x, y, null)];
      assert.ok(Math.abs(ours - theirs) <= TOLERANCE * Math.abs(theirs), `loss ${ours} vs the CPU engine's ${theirs}`);
      host.paramInfo().forEach((param, i) => {
        const gap = relativeGap(gpu.getGradient(i), host.getGradient(i));
        assert.ok(gap <= TOLERANCE, `${param.name}: the gradient differs by ${gap.toExponential(2)} relative`);
      });
      assert.ok(relativeGap(gpu.predict(x, 16), host.predict(x, 16)) <= TOLERANCE, 'predictions');
      gpu.release();
      host.release();
    });
  }

  for (const change of [{}, { optimizer: 'adamw', weightDecay: 0.05 }, { optimizer: 'sgd', momentum: 0.9, learningRate: 0.05 }, { optimizer: 'rmsprop', momentum: 0.5 }, { clipNorm: 0.01 }] as const) {
    it(`takes the CPU engine's steps (${JSON.stringify(change)}): weights after five steps on shuffled batches, 1e-3 relative`, () => {
      const options: LstmNetOptions = { task: 'forecast', timesteps: 8, inputSize: 3, hiddenUnits: [6, 5], cells: ['lstm', 'gru'], outputs: 2, learningRate: 0.01, ...change };
      const { gpu, host } = twins(options, 3);
      const { x, y } = aBatch(options, 40);
      for (let step = 0; step < 5; step++) {
        const indices = Int32Array.from({ length: 16 }, (_, i) => (i * 7 + step * 3) % 40);
        const [a, b] = [gpu.trainBatch(x, y, indices, 0), host.trainBatch(x, y, indices, 0)];
        assert.ok(Math.abs(a - b) <= TOLERANCE * Math.abs(b), `step ${step}: loss ${a} vs ${b}`);
      }
      assert.equal(gpu.getIterations(), 5);
      host.paramInfo().forEach((param, i) => assert.ok(relativeGap(gpu.getParam(i), host.getParam(i)) <= TOLERANCE, `${param.name} after five steps`));
      gpu.release();
      host.release();
    });
  }

  it('moves a network between the engines with its optimizer state: a resumed run continues as the uninterrupted one', () => {
    const options: LstmNetOptions = { task: 'forecast', timesteps: 8, inputSize: 3, hiddenUnits: [6], outputs: 1, learningRate: 0.01 };
    const { gpu, host } = twins(options, 5);
    const { x, y } = aBatch(options, 16);
    for (let step = 0; step < 3; step++) gpu.trainBatch(x, y, null, 0);
    // The GPU's state into a fresh CPU network (what a checkpoint carries), then one more step on each.
    host.paramInfo().forEach((_, i) => {
      host.setParam(i, gpu.getParam(i));
      const { m, v } = gpu.getAdamMoments(i);
      host.setAdamMoments(i, m, v);
    });
    host.setIterations(gpu.getIterations());
    const [a, b] = [gpu.trainBatch(x, y, null, 0), host.trainBatch(x, y, null, 0)];
    assert.ok(Math.abs(a - b) <= TOLERANCE * Math.abs(b), `loss ${a} vs ${b}`);
    host.paramInfo().forEach((param, i) => assert.ok(relativeGap(gpu.getParam(i), host.getParam(i)) <= TOLERANCE, param.name));
    gpu.release();
    host.release();
  });

  it('refuses what it does not train yet, and bad input, with Errors that say so', () => {
    if (!cuda.available) return;
    const base: LstmNetOptions = { task: 'forecast', timesteps: 4, inputSize: 2, hiddenUnits: [3], outputs: 1 };
    assert.throws(() => new cuda.addon.LstmNet({ ...base, bidirectional: true }), /bidirectional layers are not supported by the CUDA engine yet/);
    assert.throws(() => new cuda.addon.LstmNet({ ...base, dropout: 0.2 }), /dropout is not supported by the CUDA engine yet/);
    const net = new cuda.addon.LstmNet(base);
    assert.throws(() => net.trainBatch(new Float32Array(8).fill(NaN), new Float32Array(1), null, 0), /inputs must be finite/);
    assert.throws(() => net.trainBatch(new Float32Array(8), new Float32Array(1), Int32Array.of(3), 0), /sample index 3 is outside the 1 samples of x/);
    assert.ok(Number.isFinite(net.trainBatch(new Float32Array(8), new Float32Array(1), null, 0)), 'and it keeps working');
    net.release();
  });
});
