import * as tf from '@tensorflow/tfjs';
import type { ForecastData } from '@tuneforge/training';

/** Seeded random windows of the benchmark workloads' shape: N training and `validation` (and as many test) samples of T x F. */
export function randomForecastData(N: number, T: number, F: number, validation: number): ForecastData {
  const x = (count: number, seed: number) => tf.randomNormal([count, T, F], 0, 1, 'float32', seed) as tf.Tensor3D;
  const y = (count: number, seed: number) => tf.randomNormal([count, 1], 0, 1, 'float32', seed) as tf.Tensor2D;
  return {
    task: 'forecast',
    trainX: x(N, 1),
    trainY: y(N, 2),
    valX: x(validation, 3),
    valY: y(validation, 4),
    testX: x(validation, 5),
    testY: y(validation, 6),
    featureCount: F,
    horizon: 1,
    target: { mean: 0, std: 1 },
    seasonalNaiveMae: 0,
    seasonalNaiveTestMae: 0,
    preprocessing: {
      task: 'forecast',
      target: 'f0',
      timeColumn: null,
      output: { kind: 'level', mean: 0, std: 1 },
      inputs: Array.from({ length: F }, (_, f) => ({ name: `f${f}`, kind: 'value' as const, column: `f${f}`, mean: 0, std: 1 })),
      window: T,
      horizon: 1,
      season: 7,
    },
  };
}
