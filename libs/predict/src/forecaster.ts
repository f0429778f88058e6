import * as tf from '@tensorflow/tfjs';
import { decodeOutputs, encodeInputs, windowSamples, type CsvTable, type ForecastPreprocessing, type ModelBundleMetadata } from '@tuneforge/formats';
import { checkForecastRows, readForecastCsv, type CheckedRows, type ForecastRows } from './forecast-rows';
import { inputShapeOf, loadModelBundle, type LoadOptions } from './model-bundle.loader';
import { ModelBundleError } from './predict-errors';

const PREDICT_BATCH = 1024;

/** One forecast: the `horizon` values after a window of rows, in the target's units. */
export interface Forecast {
  /** 0-based index, in the rows given, of the window's first row. */
  start: number;
  /** 0-based index of the first forecast row (start + window); the rows' length or more is past the rows given. */
  index: number;
  /**
   * The time (epoch ms) of each forecast step: the row's own time where the rows reach it, past the last
   * row the step between the last two rows continued. Null without a time column (or from one row).
   */
  times: number[] | null;
  values: number[];
}

export type ForecastBundleMetadata = ModelBundleMetadata & { preprocessing: ForecastPreprocessing };

export interface Forecaster {
  readonly metadata: ForecastBundleMetadata;
  /** The forecast for the `horizon` steps after the last `window` rows. */
  predict(rows: ForecastRows): Promise<Forecast>;
  /** One forecast per window of `window` consecutive rows, first window first (the last one forecasts past the rows). */
  predictAll(rows: ForecastRows): Promise<Forecast[]>;
  /** CSV text as rows for this model (its time column holds dates); problems name their line and column. */
  readCsv(text: string): CsvTable;
  dispose(): void;
}

/**
 * A forecasting model exported by Tuneforge, from the URL of its model.json (`.../trials/:id/model`,
 * `.../sweeps/:id/best-model`) or a folder holding model.json and its weights (`tuneforge download`).
 * It makes its inputs from raw rows exactly as training did, and reads its outputs back into the target's
 * units the same way (`encodeInputs`, `windowSamples`, `decodeOutputs` of @tuneforge/formats, with the
 * training split's statistics the bundle carries: a level, or the change from the value a season earlier).
 */
export async function loadForecaster(source: string, options: LoadOptions = {}): Promise<Forecaster> {
  const { model, metadata } = await loadModelBundle(source, 'forecast', options);
  const preprocessing = metadata.preprocessing;
  checkShapes(model, preprocessing, source);
  const forecasts = async (rows: ForecastRows, which: 'last' | 'all'): Promise<Forecast[]> => {
    const checked = checkForecastRows(rows, preprocessing);
    const last = checked.length - preprocessing.window;
    const starts = which === 'last' ? [last] : Array.from({ length: last + 1 }, (_, s) => s);
    return forecastWindows(model, preprocessing, checked, starts);
  };
  return {
    metadata,
    predict: async (rows) => (await forecasts(rows, 'last'))[0],
    predictAll: (rows) => forecasts(rows, 'all'),
    readCsv: (text) => readForecastCsv(text, preprocessing),
    dispose: () => model.dispose(),
  };
}

/** Loads the model, reads the CSV text, forecasts (after the last window, or every window with `all`) and lets the model go. */
export async function forecastCsv(source: string, text: string, options: { all?: boolean } & LoadOptions = {}): Promise<Forecast[]> {
  const forecaster = await loadForecaster(source, options);
  try {
    const rows = forecaster.readCsv(text);
    return options.all ? await forecaster.predictAll(rows) : [await forecaster.predict(rows)];
  } finally {
    forecaster.dispose();
  }
}

async function forecastWindows(model: tf.LayersModel, preprocessing: ForecastPreprocessing, rows: CheckedRows, starts: readonly number[]): Promise<Forecast[]> {
  const { window, horizon, inputs } = preprocessing;
  const encoded = encodeInputs(inputs, rows.columns);
  const target = rows.columns[preprocessing.target];
  const forecasts: Forecast[] = [];
  for (let from = 0; from < starts.length; from += PREDICT_BATCH) {
    const chunk = starts.slice(from, from + PREDICT_BATCH);
    const output = tf.tidy(() => model.predict(tf.tensor3d(windowSamples(encoded, chunk, window), [chunk.length, window, inputs.length])) as tf.Tensor);
    const values = await output.data();
    output.dispose();
    chunk.forEach((start, i) => {
      const index = start + window;
      forecasts.push({
        start,
        index,
        times: stepTimes(rows.times, index, horizon),
        values: decodeOutputs(preprocessing, values.subarray(i * horizon, (i + 1) * horizon), target, index),
      });
    });
  }
  return forecasts;
}

function stepTimes(times: readonly number[] | null, index: number, horizon: number): number[] | null {
  if (!times) return null;
  const n = times.length;
  if (index + horizon > n && n < 2) return null;
  const step = n >= 2 ? times[n - 1] - times[n - 2] : 0;
  return Array.from({ length: horizon }, (_, k) => (index + k < n ? times[index + k] : times[n - 1] + (index + k - n + 1) * step));
}

/** The model reads [window, inputs] and forecasts [horizon], as its preprocessing says, with the target as its first input and an output encoding it can be decoded with. */
function checkShapes(model: tf.LayersModel, preprocessing: ForecastPreprocessing, source: string): void {
  const [first] = preprocessing.inputs;
  const problems: string[] = [];
  if (first?.kind !== 'value' || first.column !== preprocessing.target) problems.push(`its first input is not the target '${preprocessing.target}'`);
  const expected = [preprocessing.window, preprocessing.inputs.length];
  const input = inputShapeOf(model);
  if (input.length !== 2 || input[0] !== expected[0] || input[1] !== expected[1]) problems.push(`the model reads [${input.join(', ')}] where its preprocessing makes [${expected.join(', ')}]`);
  const encoding = preprocessing.output;
  if (!encoding || (encoding.kind !== 'level' && encoding.kind !== 'seasonal-difference')) problems.push('it has no output encoding (level or seasonal-difference)');
  else if (encoding.kind === 'seasonal-difference' && preprocessing.window < preprocessing.season) problems.push(`a seasonal-difference output needs a window of at least its season ${preprocessing.season}`);
  const output = model.outputs[0].shape.slice(1);
  if (output.length !== 1 || output[0] !== preprocessing.horizon) problems.push(`the model forecasts [${output.join(', ')}] where its preprocessing says ${preprocessing.horizon} steps`);
  if (problems.length > 0) {
    model.dispose();
    throw new ModelBundleError(`${source} is inconsistent: ${problems.join('; ')}`);
  }
}
