import * as tf from '@tensorflow/tfjs';
import {
  encodeInputs,
  encodeOutputs,
  forecastPreprocessingOf,
  seasonalNaiveMae,
  splitWindowStarts,
  timeSplit,
  windowSamples,
  type ForecastSeries,
  type OutputKind,
} from '@tuneforge/formats';
import type { ForecastData } from './dataset';

export interface ForecastOptions {
  window: number;
  horizon: number;
  validationSplit: number;
  testSplit: number;
  /** What the model outputs. */
  output: OutputKind;
}

export class DatasetTooShortError extends Error {
  override name = 'DatasetTooShortError';
}

type Samples = { x: Float32Array; y: Float32Array; count: number };

/** ForecastData's samples as plain arrays (what a worker thread computes and transfers), before they become tensors. */
export interface ForecastArrays extends Omit<ForecastData, 'trainX' | 'trainY' | 'valX' | 'valY' | 'testX' | 'testY'> {
  window: number;
  train: Samples;
  val: Samples;
  test: Samples;
}

/**
 * Windows a series into (window x features) -> (horizon) samples. Splits in time order (train,
 * validation, test), then standardises every value column with statistics of the training rows only.
 */
export function forecastData(series: ForecastSeries, options: ForecastOptions): ForecastData {
  return forecastTensors(forecastArrays(series, options));
}

/** forecastData's samples, without tensors (no tfjs: it runs on any thread). */
export function forecastArrays(series: ForecastSeries, options: ForecastOptions): ForecastArrays {
  const { window, horizon, validationSplit, testSplit } = options;
  const targetValues = series.columns[series.target];
  const length = targetValues.length;
  const split = timeSplit(length, validationSplit, testSplit);
  const starts = splitWindowStarts(split, window, horizon);
  if (starts.train.length === 0 || starts.validation.length === 0 || starts.test.length === 0) {
    throw new DatasetTooShortError(
      `${length} rows are too few for window ${window} + horizon ${horizon} with validationSplit ${validationSplit} and testSplit ${testSplit}: ` +
        `${starts.train.length} training, ${starts.validation.length} validation and ${starts.test.length} test samples`,
    );
  }
  const preprocessing = forecastPreprocessingOf(series, { window, horizon, trainEnd: split.trainEnd, output: options.output });
  const encoded = encodeInputs(preprocessing.inputs, series.columns);
  const build = (from: number[]): Samples => {
    const y = new Float32Array(from.length * horizon);
    from.forEach((s, i) => encodeOutputs(preprocessing, targetValues, s + window, y, i * horizon));
    return { x: windowSamples(encoded, from, window), y, count: from.length };
  };
  const { mean, std } = preprocessing.output;
  return {
    task: 'forecast',
    window,
    train: build(starts.train),
    val: build(starts.validation),
    test: build(starts.test),
    featureCount: encoded.length,
    horizon,
    target: { mean, std },
    seasonalNaiveMae: seasonalNaiveMae(targetValues, starts.validation, window, horizon, preprocessing.season),
    seasonalNaiveTestMae: seasonalNaiveMae(targetValues, starts.test, window, horizon, preprocessing.season),
    preprocessing,
  };
}

/** The samples as the tensors trials share. */
export function forecastTensors({ window, train, val, test, ...rest }: ForecastArrays): ForecastData {
  const { featureCount, horizon } = rest;
  const x = (s: Samples) => tf.tensor3d(s.x, [s.count, window, featureCount]);
  const y = (s: Samples) => tf.tensor2d(s.y, [s.count, horizon]);
  return { ...rest, trainX: x(train), trainY: y(train), valX: x(val), valY: y(val), testX: x(test), testY: y(test) };
}

/** A series of one numeric column and no other inputs (tests, simple uploads). */
export function singleColumnSeries(values: ArrayLike<number>, name = 'y'): ForecastSeries {
  return { columns: { [name]: values }, target: name, timeColumn: null, features: [] };
}
