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

const EMBEDDING_DIM = 32;

/**
 * A stacked LSTM for the data's task: window x features -> horizon for forecasting (MSE), or
 * character embedding -> LSTM -> softmax over the vocabulary for the character model (cross-entropy).
 * Every initialiser is seeded, so the same config and seed build the same weights.
 */
export function buildLstmModel(data: TrainingData, hp: LstmHyperparameters, seed: number): tf.LayersModel {
  let nextSeed = seed >>> 0;
  const seeded = () => (nextSeed = (nextSeed + 0x9e3779b9) >>> 0);
  const model = tf.sequential();
  const window = data.trainX.shape[1];
  if (data.task === 'text') {
    // The embedding is a bias-free dense layer over one-hot characters: the same lookup, but its
    // gradient is a matrix product (the wasm backend lacks the scatter kernel an Embedding layer needs).
    model.add(
      tf.layers.dense({
        name: 'char_embedding',
        units: EMBEDDING_DIM,
        useBias: false,
        inputShape: [window, data.vocabulary.length],
        kernelInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seeded() }),
      }),
    );
  }
  for (let layer = 0; layer < hp.layers; layer++) {
    model.add(
      tf.layers.lstm({
        units: typeof hp.hiddenUnits === 'number' ? hp.hiddenUnits : (hp.hiddenUnits[layer] ?? hp.hiddenUnits[hp.hiddenUnits.length - 1]),
        returnSequences: layer < hp.layers - 1,
        dropout: hp.dropout,
        recurrentDropout: hp.recurrentDropout,
        kernelInitializer: tf.initializers.glorotUniform({ seed: seeded() }),
        recurrentInitializer: tf.initializers.orthogonal({ seed: seeded() }),
        ...(layer === 0 && data.task === 'forecast' ? { inputShape: [window, data.featureCount] } : {}),
      }),
    );
  }
  const outputs = data.task === 'forecast' ? data.horizon : data.vocabulary.length;
  model.add(
    tf.layers.dense({
      units: outputs,
      activation: data.task === 'forecast' ? 'linear' : 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seeded() }),
    }),
  );
  compile(model, data, hp.learningRate);
  return model;
}

export function compile(model: tf.LayersModel, data: TrainingData, learningRate: number): void {
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: data.task === 'forecast' ? 'meanSquaredError' : 'sparseCategoricalCrossentropy',
  });
}
