import * as tf from '@tensorflow/tfjs';
import type { OptimizerName, RecurrentCell } from '@tuneforge/contracts';
import type { TrainingData } from './datasets/dataset';
import { SeededOrthogonal } from './seeded-orthogonal';

export interface RecurrentHyperparameters {
  /** The cell of every layer, or one per layer (absent: LSTM, as models before cells were a choice). */
  cell?: RecurrentCell | readonly RecurrentCell[];
  /** Units of every layer, or one number per layer. */
  hiddenUnits: number | readonly number[];
  /** Each recurrent layer reads the sequence both ways, its two outputs concatenated (absent: forwards only). */
  bidirectional?: boolean;
  layers: number;
  dropout: number;
  recurrentDropout: number;
  learningRate: number;
  /** Absent: Adam (models from before optimizers were a choice). */
  optimizer?: OptimizerName;
  /** sgd's and rmsprop's momentum. */
  momentum?: number;
}

/** What a recurrent model's layers depend on besides its hyperparameters: the task, the window and the widths in and out. */
export type RecurrentModelShape =
  | { task: 'forecast'; window: number; featureCount: number; horizon: number }
  | { task: 'text'; window: number; vocabularySize: number }
  | { task: 'classify'; input: 'characters'; window: number; vocabularySize: number; classCount: number }
  | { task: 'classify'; input: 'series'; window: number; featureCount: number; classCount: number };

export function recurrentModelShape(data: TrainingData): RecurrentModelShape {
  const window = data.trainX.shape[1];
  switch (data.task) {
    case 'text':
      return { task: 'text', window, vocabularySize: data.vocabulary.length };
    case 'classify':
      return data.input === 'series'
        ? { task: 'classify', input: 'series', window, featureCount: data.featureCount, classCount: data.classes.length }
        : { task: 'classify', input: 'characters', window, vocabularySize: data.vocabulary.length, classCount: data.classes.length };
    case 'forecast':
      return { task: 'forecast', window, featureCount: data.featureCount, horizon: data.horizon };
  }
}

/** The softmax's width (text: the vocabulary, classify: the classes), or the forecast's horizon. */
export function outputWidth(shape: RecurrentModelShape): number {
  return shape.task === 'forecast' ? shape.horizon : shape.task === 'text' ? shape.vocabularySize : shape.classCount;
}

const EMBEDDING_DIM = 32;

/** A per-layer hyperparameter's value for layer `layer`: its own, the last one given, or the one for every layer. */
export function layerValue<T>(value: T | readonly T[], layer: number): T {
  if (!Array.isArray(value)) return value as T;
  return value[layer] ?? value[value.length - 1];
}

/** tfjs's layer for each cell; the three share a config (units, dropouts, initialisers) and weight layout. */
const RECURRENT_LAYERS: Record<RecurrentCell, (args: Parameters<typeof tf.layers.lstm>[0]) => tf.layers.Layer> = {
  lstm: (args) => tf.layers.lstm(args),
  gru: (args) => tf.layers.gru(args),
  rnn: (args) => tf.layers.simpleRNN(args),
};

/** The tfjs class name of each cell's layer, as a saved model names it. */
export const RECURRENT_LAYER_CLASSES: Record<string, RecurrentCell> = { LSTM: 'lstm', GRU: 'gru', SimpleRNN: 'rnn' };

/**
 * A stack of recurrent layers (LSTM, GRU or simple RNN, per layer) for the data's task: window x features
 * -> horizon for forecasting (MSE), or character embedding -> recurrent layers -> softmax over the
 * vocabulary for the character model, or over the classes for a classifier (cross-entropy) of texts
 * (embedded characters) or of series (steps x features).
 * Every initialiser is seeded, so the same config and seed build the same weights.
 *
 * The seeded initialisers run here, synchronously: SeededOrthogonal takes about half a second for 256 units
 * (tfjs's own took seconds to minutes). A worker gets the same model from `buildSeededRecurrentModel`, which
 * runs them on a worker thread and passes their values in as `initialWeights` (then no initialiser runs here, and the
 * topology, seeds included, is the same).
 */
export function buildRecurrentModel(data: TrainingData | RecurrentModelShape, hp: RecurrentHyperparameters, seed: number, initialWeights?: readonly Float32Array[]): tf.LayersModel {
  const shape = 'trainX' in data ? recurrentModelShape(data) : data;
  let nextSeed = seed >>> 0;
  const seeded = () => (nextSeed = (nextSeed + 0x9e3779b9) >>> 0);
  const model = tf.sequential();
  const add = (layer: tf.layers.Layer) => {
    // Zeros instead of the initialisers while the layer builds; setWeights below writes the real values.
    if (initialWeights) layer.setFastWeightInitDuringBuild(true);
    model.add(layer);
  };
  if ('vocabularySize' in shape) {
    // The embedding is a bias-free dense layer over one-hot characters: the same lookup, but its
    // gradient is a matrix product (the wasm backend lacks the scatter kernel an Embedding layer needs).
    add(
      tf.layers.dense({
        name: 'char_embedding',
        units: EMBEDDING_DIM,
        useBias: false,
        inputShape: [shape.window, shape.vocabularySize],
        kernelInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seeded() }),
      }),
    );
  }
  for (let layer = 0; layer < hp.layers; layer++) {
    const inputShape = layer === 0 && 'featureCount' in shape ? { inputShape: [shape.window, shape.featureCount] } : {};
    const recurrent = (args: Parameters<typeof tf.layers.lstm>[0]) => RECURRENT_LAYERS[layerValue(hp.cell ?? 'lstm', layer)](args);
    // The backward copy is cloned from the forward layer's config, seeded initialisers included: both start alike and diverge as they train.
    const layerOf = (args: Parameters<typeof tf.layers.lstm>[0]) =>
      hp.bidirectional ? tf.layers.bidirectional({ layer: recurrent(args) as tf.RNN, mergeMode: 'concat', ...inputShape }) : recurrent({ ...args, ...inputShape });
    add(
      layerOf({
        units: layerValue(hp.hiddenUnits, layer),
        returnSequences: layer < hp.layers - 1,
        dropout: hp.dropout,
        recurrentDropout: hp.recurrentDropout,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seeded() }),
        recurrentInitializer: new SeededOrthogonal({ seed: seeded() }),
      }),
    );
  }
  add(
    tf.layers.dense({
      units: outputWidth(shape),
      activation: shape.task === 'forecast' ? 'linear' : 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seeded() }),
    }),
  );
  if (initialWeights) setInitialWeights(model, initialWeights);
  compile(model, shape, hp);
  return model;
}

function setInitialWeights(model: tf.LayersModel, values: readonly Float32Array[]): void {
  // A weight's shape is always known (Shape allows null for a layer's batch dimension).
  const shapes = model.weights.map((w) => w.shape as number[]);
  const sizes = shapes.map((s) => s.reduce((n, d) => n * d, 1));
  if (values.length !== shapes.length || values.some((v, i) => v.length !== sizes[i])) {
    throw new Error(`initial weights of sizes [${values.map((v) => v.length).join(', ')}] do not fit the model's [${sizes.join(', ')}]`);
  }
  const tensors = values.map((v, i) => tf.tensor(v, shapes[i], 'float32'));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

export function compile(model: tf.LayersModel, data: Pick<TrainingData | RecurrentModelShape, 'task'>, hp: Pick<RecurrentHyperparameters, 'learningRate' | 'optimizer' | 'momentum'>): void {
  model.compile({
    optimizer: optimizerFor(hp),
    loss: data.task === 'forecast' ? 'meanSquaredError' : 'sparseCategoricalCrossentropy',
  });
}

/** tfjs's optimizer for the hyperparameters (adamw is Adam: the trainer decays the weights itself, decoupled). */
export function optimizerFor(hp: Pick<RecurrentHyperparameters, 'learningRate' | 'optimizer' | 'momentum'>): tf.Optimizer {
  const momentum = hp.momentum ?? 0;
  switch (hp.optimizer ?? 'adam') {
    case 'sgd':
      return momentum > 0 ? tf.train.momentum(hp.learningRate, momentum) : tf.train.sgd(hp.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(hp.learningRate, 0.9, momentum);
    default:
      return tf.train.adam(hp.learningRate);
  }
}

/** Sets an optimizer's learning rate for the next steps (SGD and Momentum keep it as a tensor of their own). */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  const settable = optimizer as unknown as { learningRate: number; setLearningRate?: (rate: number) => void };
  if (optimizer.getClassName() === 'SGD' || optimizer.getClassName() === 'Momentum') settable.setLearningRate?.(learningRate);
  else settable.learningRate = learningRate;
}
