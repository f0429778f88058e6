import * as tf from '@tensorflow/tfjs';
import type { TrainingData } from './datasets/dataset';

export interface LstmHyperparameters {
  /** Units of every layer, or one number per layer. */
  hiddenUnits: number | readonly number[];
  layers: number;
  dropout: number;
  recurrentDropout: number;
  learningRate: number;
}

/** What an LSTM model's layers depend on besides its hyperparameters: the task, the window and the widths in and out. */
export type LstmModelShape =
  | { task: 'forecast'; window: number; featureCount: number; horizon: number }
  | { task: 'text'; window: number; vocabularySize: number };

export function lstmModelShape(data: TrainingData): LstmModelShape {
  const window = data.trainX.shape[1];
  return data.task === 'text' ? { task: 'text', window, vocabularySize: data.vocabulary.length } : { task: 'forecast', window, featureCount: data.featureCount, horizon: data.horizon };
}

const EMBEDDING_DIM = 32;

/**
 * A stacked LSTM for the data's task: window x features -> horizon for forecasting (MSE), or
 * character embedding -> LSTM -> softmax over the vocabulary for the character model (cross-entropy).
 * Every initialiser is seeded, so the same config and seed build the same weights.
 *
 * The seeded initialisers run here, synchronously: the orthogonal one takes seconds to minutes on the
 * cpu and wasm backends. A worker gets the same model from `buildSeededLstmModel`, which runs them on a
 * worker thread and passes their values in as `initialWeights` (then no initialiser runs here, and the
 * topology, seeds included, is the same).
 */
export function buildLstmModel(data: TrainingData | LstmModelShape, hp: LstmHyperparameters, seed: number, initialWeights?: readonly Float32Array[]): tf.LayersModel {
  const shape = 'trainX' in data ? lstmModelShape(data) : data;
  let nextSeed = seed >>> 0;
  const seeded = () => (nextSeed = (nextSeed + 0x9e3779b9) >>> 0);
  const model = tf.sequential();
  const add = (layer: tf.layers.Layer) => {
    // Zeros instead of the initialisers while the layer builds; setWeights below writes the real values.
    if (initialWeights) layer.setFastWeightInitDuringBuild(true);
    model.add(layer);
  };
  if (shape.task === 'text') {
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
    add(
      tf.layers.lstm({
        units: typeof hp.hiddenUnits === 'number' ? hp.hiddenUnits : (hp.hiddenUnits[layer] ?? hp.hiddenUnits[hp.hiddenUnits.length - 1]),
        returnSequences: layer < hp.layers - 1,
        dropout: hp.dropout,
        recurrentDropout: hp.recurrentDropout,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seeded() }),
        recurrentInitializer: tf.initializers.orthogonal({ seed: seeded() }),
        ...(layer === 0 && shape.task === 'forecast' ? { inputShape: [shape.window, shape.featureCount] } : {}),
      }),
    );
  }
  add(
    tf.layers.dense({
      units: shape.task === 'forecast' ? shape.horizon : shape.vocabularySize,
      activation: shape.task === 'forecast' ? 'linear' : 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seeded() }),
    }),
  );
  if (initialWeights) setInitialWeights(model, initialWeights);
  compile(model, shape, hp.learningRate);
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

export function compile(model: tf.LayersModel, data: Pick<TrainingData | LstmModelShape, 'task'>, learningRate: number): void {
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: data.task === 'forecast' ? 'meanSquaredError' : 'sparseCategoricalCrossentropy',
  });
}
