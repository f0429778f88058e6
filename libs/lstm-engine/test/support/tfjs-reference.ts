import * as tf from '@tensorflow/tfjs';
import type { LstmNetOptions, NativeLstmNet } from '../../src';

/** Whether the network reads ids through an embedding (text, and classify with an embedding) rather than feature rows. */
export function readsIds(options: LstmNetOptions): boolean {
  return options.task === 'text' || (options.task === 'classify' && (options.embeddingDim ?? 0) > 0);
}

/** The same network in TensorFlow.js layers, as Tuneforge's tfjs trainer builds it. */
export function tfjsModel(options: LstmNetOptions, seed: number): tf.LayersModel {
  const model = tf.sequential();
  let nextSeed = seed;
  if (readsIds(options)) {
    model.add(
      tf.layers.dense({
        units: options.embeddingDim ?? 0,
        useBias: false,
        inputShape: [options.timesteps, options.inputSize],
        kernelInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: nextSeed++ }),
      }),
    );
  }
  options.hiddenUnits.forEach((units, layer) => {
    const cell = options.cells?.[layer] ?? 'lstm';
    const cellLayer = cell === 'lstm' ? tf.layers.lstm : cell === 'gru' ? tf.layers.gru : tf.layers.simpleRNN;
    const inputShape = layer === 0 && !readsIds(options) ? { inputShape: [options.timesteps, options.inputSize] } : {};
    const recurrentLayer = (args: Parameters<typeof tf.layers.lstm>[0]) =>
      options.bidirectional ? tf.layers.bidirectional({ layer: cellLayer(args) as tf.RNN, mergeMode: 'concat', ...inputShape }) : cellLayer({ ...args, ...inputShape });
    model.add(
      recurrentLayer({
        units,
        returnSequences: layer < options.hiddenUnits.length - 1,
        kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed++ }),
        recurrentInitializer: tf.initializers.orthogonal({ seed: nextSeed++ }),
        // Non-zero biases so that every gate's gradient path is exercised.
        biasInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: nextSeed++ }),
      }),
    );
  });
  model.add(
    tf.layers.dense({
      units: options.outputs,
      activation: options.task === 'forecast' ? 'linear' : 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: nextSeed++ }),
      biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: nextSeed++ }),
    }),
  );
  // A Bidirectional copies its forward layer's seeded initialisers: give every weight values of its own, so that a
  // swapped forward and backward copy shows.
  if (options.bidirectional) model.setWeights(model.getWeights().map((w, i) => tf.randomUniform(w.shape, -0.4, 0.4, 'float32', seed * 100 + i)));
  model.compile({ optimizer: tf.train.adam(options.learningRate ?? 1e-3), loss: options.task === 'forecast' ? 'meanSquaredError' : 'sparseCategoricalCrossentropy' });
  return model;
}

export function copyWeightsToNet(model: tf.LayersModel, net: NativeLstmNet): void {
  const info = net.paramInfo();
  const weights = model.getWeights();
  if (weights.length !== info.length) throw new Error(`tfjs has ${weights.length} weights, the engine ${info.length}`);
  weights.forEach((w, i) => net.setParam(i, w.dataSync() as Float32Array));
}

/** What the tfjs model reads: the engine's inputs, one-hot encoded for text. */
export function tfjsInput(options: LstmNetOptions, x: Float32Array, samples: number): tf.Tensor {
  if (!readsIds(options)) return tf.tensor3d(x, [samples, options.timesteps, options.inputSize]);
  return tf.tidy(() => tf.oneHot(tf.tensor2d(x, [samples, options.timesteps], 'int32'), options.inputSize));
}

/** The loss tfjs's compiled model minimises, and its gradient for every trainable weight. */
export function tfjsLossAndGradients(model: tf.LayersModel, options: LstmNetOptions, x: Float32Array, y: Float32Array, samples: number): { loss: number; grads: Float32Array[] } {
  return tf.tidy(() => {
    const input = tfjsInput(options, x, samples);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => {
      const out = model.apply(input, { training: false }) as tf.Tensor;
      if (options.task === 'forecast') return tf.losses.meanSquaredError(tf.tensor2d(y, [samples, options.outputs]), out) as tf.Scalar;
      const target = tf.oneHot(tf.tensor1d(y, 'int32'), options.outputs);
      const normalised = tf.div(out, tf.sum(out, -1, true));
      return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.log(tf.clipByValue(normalised, 1e-7, 1 - 1e-7))), -1))) as tf.Scalar;
    }, variables);
    return { loss: value.dataSync()[0], grads: variables.map((v) => grads[v.name].dataSync() as Float32Array) };
  });
}

/** tfjs's optimizer for the options, as Tuneforge's tfjs trainer makes it. */
export function tfjsOptimizer(options: LstmNetOptions): tf.Optimizer {
  const lr = options.learningRate ?? 1e-3;
  const momentum = options.momentum ?? 0;
  switch (options.optimizer ?? 'adam') {
    case 'sgd':
      return momentum > 0 ? tf.train.momentum(lr, momentum) : tf.train.sgd(lr);
    case 'rmsprop':
      return tf.train.rmsprop(lr, options.rho ?? 0.9, momentum);
    default:
      return tf.train.adam(lr);
  }
}

/** One step as PyTorch defines weight decay: L2 added to the (clipped) gradient, or decoupled for adamw. */
export function tfjsStep(model: tf.LayersModel, optimizer: tf.Optimizer, options: LstmNetOptions, x: Float32Array, y: Float32Array, samples: number): void {
  tf.tidy(() => {
    const input = tfjsInput(options, x, samples);
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => {
      const out = model.apply(input, { training: true }) as tf.Tensor;
      return tf.losses.meanSquaredError(tf.tensor2d(y, [samples, options.outputs]), out) as tf.Scalar;
    }, variables);
    const decay = options.weightDecay ?? 0;
    for (const v of variables) {
      if (options.optimizer === 'adamw') v.assign(tf.mul(v, 1 - (options.learningRate ?? 1e-3) * decay));
      else if (decay > 0) grads[v.name] = tf.add(grads[v.name], tf.mul(v, decay));
    }
    optimizer.applyGradients(grads);
  });
}
