/** Pure helpers for turning a time series into supervised samples. No tensors, no I/O. */

export interface SplitPoint {
  /** Rows [0, trainEnd) train; rows [trainEnd, validationEnd) validate; rows [validationEnd, length) test. */
  trainEnd: number;
  validationEnd: number;
  length: number;
}

/**
 * Splits a series in time order: the last `testSplit` share of rows is the test split (scored once
 * per trial, never selected on), the `validationSplit` share before it validates, the rest trains.
 */
export function timeSplit(length: number, validationSplit: number, testSplit = 0): SplitPoint {
  const validationEnd = Math.round(length * (1 - testSplit));
  const trainEnd = Math.round(length * (1 - testSplit - validationSplit));
  return { trainEnd, validationEnd, length };
}

export interface Standardiser {
  mean: number;
  std: number;
}

/** Mean and standard deviation of `values[from, to)`; a constant column (up to rounding) gets std 1. */
export function standardiserOf(values: ArrayLike<number>, from: number, to: number): Standardiser {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i];
  const mean = sum / (to - from);
  let squares = 0;
  for (let i = from; i < to; i++) squares += (values[i] - mean) ** 2;
  const std = Math.sqrt(squares / (to - from));
  return { mean, std: std > 1e-9 * Math.max(1, Math.abs(mean)) ? std : 1 };
}

/**
 * Window start positions whose targets fall in [targetFrom, targetTo): a sample at start s reads
 * rows [s, s + window) and predicts rows [s + window, s + window + horizon).
 */
export function windowStarts(window: number, horizon: number, targetFrom: number, targetTo: number): number[] {
  const first = Math.max(0, targetFrom - window);
  const last = targetTo - window - horizon;
  const starts: number[] = [];
  for (let s = first; s <= last; s++) starts.push(s);
  return starts;
}

/** How far back the seasonal-naive forecast of horizon step k (0-based) looks: one season, or more, never into the horizon itself. */
export function seasonalLag(k: number, season: number): number {
  return season * (Math.floor(k / season) + 1);
}

/**
 * MAE of the seasonal-naive forecast (the value one season earlier, and never a value inside the
 * forecast horizon itself) over the samples starting at `starts`.
 */
export function seasonalNaiveMae(series: ArrayLike<number>, starts: readonly number[], window: number, horizon: number, season = 7): number {
  let total = 0;
  let count = 0;
  for (const s of starts) {
    const origin = s + window; // first forecast row
    for (let k = 0; k < horizon; k++) {
      total += Math.abs(series[origin + k] - series[origin + k - seasonalLag(k, season)]);
      count++;
    }
  }
  return total / count;
}

/** The window starts of each split: a sample belongs to the split its targets fall in (its inputs may read earlier rows). */
export function splitWindowStarts(split: SplitPoint, window: number, horizon: number): { train: number[]; validation: number[]; test: number[] } {
  return {
    train: windowStarts(window, horizon, 0, split.trainEnd),
    validation: windowStarts(window, horizon, split.trainEnd, split.validationEnd),
    test: windowStarts(window, horizon, split.validationEnd, split.length),
  };
}

/** How many training, validation and test samples a series of `length` rows gives. */
export function forecastSampleCounts(length: number, window: number, horizon: number, validationSplit: number, testSplit: number): { train: number; validation: number; test: number } {
  const starts = splitWindowStarts(timeSplit(length, validationSplit, testSplit), window, horizon);
  return { train: starts.train.length, validation: starts.validation.length, test: starts.test.length };
}
