import * as tf from '@tensorflow/tfjs';
import { seasonalNaiveMae, standardiserOf, timeSplit, windowStarts } from '@tuneforge/formats';
import type { ForecastData } from './dataset';

/** A numeric time series in time order: the target and any other inputs (covariates). */
export interface TimeSeries {
  target: ArrayLike<number>;
  covariates: { name: string; values: ArrayLike<number>; standardise: boolean }[];
}

export interface ForecastOptions {
  window: number;
  horizon: number;
  validationSplit: number;
}

export class DatasetTooShortError extends Error {
  override name = 'DatasetTooShortError';
}

/** ForecastData's samples as plain arrays (what a worker thread computes and transfers), before they become tensors. */
export interface ForecastArrays extends Omit<ForecastData, 'trainX' | 'trainY' | 'valX' | 'valY'> {
  window: number;
  train: { x: Float32Array; y: Float32Array; count: number };
  val: { x: Float32Array; y: Float32Array; count: number };
}

/**
 * Windows a series into (window x features) -> (horizon) samples. Splits in time order, then
 * standardises every column with statistics of the training rows only.
 */
export function forecastData(series: TimeSeries, options: ForecastOptions): ForecastData {
  return forecastTensors(forecastArrays(series, options));
}

/** forecastData's samples, without tensors (no tfjs: it runs on any thread). */
export function forecastArrays(series: TimeSeries, options: ForecastOptions): ForecastArrays {
  const { window, horizon, validationSplit } = options;
  const length = series.target.length;
  const split = timeSplit(length, validationSplit);
  const trainStarts = windowStarts(window, horizon, 0, split.trainEnd);
  const valStarts = windowStarts(window, horizon, split.trainEnd, length);
  if (trainStarts.length === 0 || valStarts.length === 0) {
    throw new DatasetTooShortError(
      `${length} rows are too few for window ${window} + horizon ${horizon} with validationSplit ${validationSplit}: ` +
        `${trainStarts.length} training and ${valStarts.length} validation samples`,
    );
  }
  const target = standardiserOf(series.target, 0, split.trainEnd);
  const columns = [
    { values: series.target, scale: target },
    ...series.covariates.map((c) => ({ values: c.values, scale: c.standardise ? standardiserOf(c.values, 0, split.trainEnd) : { mean: 0, std: 1 } })),
  ];
  const featureCount = columns.length;

  const build = (starts: number[]) => {
    const x = new Float32Array(starts.length * window * featureCount);
    const y = new Float32Array(starts.length * horizon);
    starts.forEach((s, i) => {
      for (let t = 0; t < window; t++) {
        for (let f = 0; f < featureCount; f++) {
          const { values, scale } = columns[f];
          x[(i * window + t) * featureCount + f] = (values[s + t] - scale.mean) / scale.std;
        }
      }
      for (let k = 0; k < horizon; k++) y[i * horizon + k] = (series.target[s + window + k] - target.mean) / target.std;
    });
    return { x, y, count: starts.length };
  };
  return {
    task: 'forecast',
    window,
    train: build(trainStarts),
    val: build(valStarts),
    featureCount,
    horizon,
    target,
    seasonalNaiveMae: seasonalNaiveMae(series.target, valStarts, window, horizon),
  };
}

/** The samples as the tensors trials share. */
export function forecastTensors({ window, train, val, ...rest }: ForecastArrays): ForecastData {
  const { featureCount, horizon } = rest;
  return {
    ...rest,
    trainX: tf.tensor3d(train.x, [train.count, window, featureCount]),
    trainY: tf.tensor2d(train.y, [train.count, horizon]),
    valX: tf.tensor3d(val.x, [val.count, window, featureCount]),
    valY: tf.tensor2d(val.y, [val.count, horizon]),
  };
}

/** Day of week and month as points on a circle, so December sits next to January. */
export function calendarCovariates(dates: { dayOfWeek: number; month: number }[]): TimeSeries['covariates'] {
  const angle = (value: number, period: number) => (2 * Math.PI * value) / period;
  return [
    { name: 'dow_sin', values: dates.map((d) => Math.sin(angle(d.dayOfWeek, 7))), standardise: false },
    { name: 'dow_cos', values: dates.map((d) => Math.cos(angle(d.dayOfWeek, 7))), standardise: false },
    { name: 'month_sin', values: dates.map((d) => Math.sin(angle(d.month - 1, 12))), standardise: false },
    { name: 'month_cos', values: dates.map((d) => Math.cos(angle(d.month - 1, 12))), standardise: false },
  ];
}
