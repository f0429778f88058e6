/** Pure helpers for turning a time series into supervised samples. No tensors, no I/O. */

export interface SplitPoint {
  /** Rows [0, trainEnd) train; rows [trainEnd, length) validate. */
  trainEnd: number;
  length: number;
}

/** Splits a series in time order: the last `validationSplit` share of rows validates. */
export function timeSplit(length: number, validationSplit: number): SplitPoint {
  const trainEnd = Math.round(length * (1 - validationSplit));
  return { trainEnd, length };
}

export interface Standardiser {
  mean: number;
  std: number;
}

/** Mean and standard deviation of `values[from, to)`; a constant column gets std 1. */
export function standardiserOf(values: ArrayLike<number>, from: number, to: number): Standardiser {
  let sum = 0;
  for (let i = from; i < to; i++) sum += values[i];
  const mean = sum / (to - from);
  let squares = 0;
  for (let i = from; i < to; i++) squares += (values[i] - mean) ** 2;
  const std = Math.sqrt(squares / (to - from));
  return { mean, std: std > 0 ? std : 1 };
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
      const lag = season * (Math.floor(k / season) + 1);
      total += Math.abs(series[origin + k] - series[origin + k - lag]);
      count++;
    }
  }
  return total / count;
}

/** How many training and validation samples a series of `length` rows gives. */
export function forecastSampleCounts(length: number, window: number, horizon: number, validationSplit: number): { train: number; validation: number } {
  const split = timeSplit(length, validationSplit);
  return {
    train: windowStarts(window, horizon, 0, split.trainEnd).length,
    validation: windowStarts(window, horizon, split.trainEnd, length).length,
  };
}
