import { seasonalLag, standardiserOf, type Standardiser } from './windowing';

/**
 * How a forecasting model's inputs are made from a series' raw columns, one rule for training and
 * for prediction: training derives it from the training rows (`forecastPreprocessingOf`), an exported
 * model carries it, and `encodeInputs` applies it to new rows the same way.
 */

/** A calendar feature of a time column: day of week or month as a point on a circle, so December sits next to January. */
export type CalendarPart = 'dayOfWeek' | 'month';

/** One model input column, in the model's feature order. */
export type InputEncoding =
  /** A numeric column, standardised with the training rows' mean and standard deviation. */
  | { name: string; kind: 'value'; column: string; mean: number; std: number }
  /** sin or cos of a calendar part of the time column (epoch milliseconds, UTC). */
  | { name: string; kind: 'calendar'; column: string; part: CalendarPart; fn: 'sin' | 'cos' };

/** What an input is before the training rows have given it statistics. */
export type InputSource = { kind: 'value'; column: string } | { kind: 'calendar'; column: string; part: CalendarPart; fn: 'sin' | 'cos' };

/**
 * What the model outputs for each horizon step, standardised with the training rows' statistics: the
 * target's value (`level`), or its change from the seasonal-naive forecast (`seasonal-difference`:
 * the value one season earlier), which keeps a drifting level out of what the model must extrapolate.
 */
export interface OutputEncoding {
  kind: 'level' | 'seasonal-difference';
  mean: number;
  std: number;
}

export type OutputKind = OutputEncoding['kind'];

export interface ForecastPreprocessing {
  task: 'forecast';
  /** The column forecast; always the first input. */
  target: string;
  output: OutputEncoding;
  /** The column that orders the rows (epoch milliseconds once read), if the data has one. */
  timeColumn: string | null;
  inputs: InputEncoding[];
  window: number;
  horizon: number;
  /** The season of the seasonal-naive baseline (the value this many rows earlier). */
  season: number;
}

export interface TextPreprocessing {
  task: 'text';
  window: number;
  /** Character ids are indices into this list. */
  vocabulary: string[];
}

/** A text classifier's inputs: characters as ids (0 pads, 1 is a character training never saw), the last `maxLength` of them, padded in front. */
export interface TextClassifyPreprocessing {
  task: 'classify';
  /** Absent in bundles from before series classifiers. */
  input?: 'characters';
  maxLength: number;
  /** Ids are indices into this list; [0] is the padding, [1] the unknown character. */
  vocabulary: string[];
  /** The softmax's outputs, in order. */
  classes: string[];
}

/**
 * A series classifier's inputs: a sequence of rows, each the `inputs` columns standardised with the training
 * rows' statistics, padded in front with zeros (the training mean) to `steps` rows.
 */
export interface SeriesClassifyPreprocessing {
  task: 'classify';
  input: 'series';
  steps: number;
  inputs: { column: string; mean: number; std: number }[];
  classes: string[];
  /** The column whose ids group rows into sequences in training, or null: each sample was a window of `steps` rows. */
  sequence: string | null;
}

export type ClassifyPreprocessing = TextClassifyPreprocessing | SeriesClassifyPreprocessing;

/** Whether a classifier reads feature rows rather than characters. */
export function isSeriesClassifier(preprocessing: ClassifyPreprocessing): preprocessing is SeriesClassifyPreprocessing {
  return preprocessing.input === 'series';
}

/**
 * Sequences of feature rows as a series classifier reads them: each standardised and padded in front
 * with zeros to `steps` rows, as [sequences, steps, features]. Training and prediction both encode with this.
 */
export function encodeSequences(sequences: readonly (readonly (readonly number[])[])[], preprocessing: Pick<SeriesClassifyPreprocessing, 'steps' | 'inputs'>): Float32Array {
  const { steps, inputs } = preprocessing;
  const features = inputs.length;
  const out = new Float32Array(sequences.length * steps * features);
  sequences.forEach((rows, s) => {
    const kept = rows.slice(-steps);
    kept.forEach((row, k) => {
      const at = (s * steps + steps - kept.length + k) * features;
      inputs.forEach(({ mean, std }, f) => (out[at + f] = (row[f] - mean) / std));
    });
  });
  return out;
}

export type Preprocessing = ForecastPreprocessing | TextPreprocessing | ClassifyPreprocessing;

/**
 * A text as a classifier reads it: its last `maxLength` characters as ids (1 for a character outside the
 * vocabulary), padded in front with 0 to `maxLength`. Training and prediction both encode with this.
 */
export function classifierInputIds(text: string, ids: ReadonlyMap<string, number>, maxLength: number): Int32Array {
  const chars = Array.from(text).slice(-maxLength);
  const out = new Int32Array(maxLength);
  chars.forEach((ch, k) => (out[maxLength - chars.length + k] = ids.get(ch) ?? 1));
  return out;
}

/** A series' raw columns by name, in time order (time columns as epoch milliseconds), all of one length. */
export type SeriesColumns = Record<string, ArrayLike<number>>;

/** A forecasting dataset before windowing: its raw columns and which of them the model reads. */
export interface ForecastSeries {
  columns: SeriesColumns;
  target: string;
  timeColumn: string | null;
  /** The inputs after the target, in order. */
  features: InputSource[];
}

export const SEASON = 7;

const PERIODS: Record<CalendarPart, number> = { dayOfWeek: 7, month: 12 };

/** Day-of-week and month features of a time column, sin and cos of each. */
export function calendarFeatures(column: string): InputSource[] {
  return (['dayOfWeek', 'month'] as const).flatMap((part) => (['sin', 'cos'] as const).map((fn) => ({ kind: 'calendar' as const, column, part, fn })));
}

export function inputName(source: InputSource): string {
  if (source.kind === 'value') return source.column;
  return `${source.part === 'dayOfWeek' ? 'dow' : 'month'}_${source.fn}`;
}

/**
 * The preprocessing a forecasting trial trains with: value columns standardised with the rows [0, trainEnd).
 * A seasonal-difference output needs a window of at least a season (the forecast reads the value a season back); a shorter one forecasts the level.
 */
export function forecastPreprocessingOf(
  series: ForecastSeries,
  options: { window: number; horizon: number; trainEnd: number; output: OutputKind },
): ForecastPreprocessing {
  const encode = (source: InputSource): InputEncoding => {
    if (source.kind === 'calendar') return { name: inputName(source), ...source };
    const scale: Standardiser = standardiserOf(columnOf(series.columns, source.column), 0, options.trainEnd);
    return { name: inputName(source), ...source, ...scale };
  };
  return {
    task: 'forecast',
    target: series.target,
    timeColumn: series.timeColumn,
    output: outputEncodingOf(columnOf(series.columns, series.target), options.trainEnd, options.window >= SEASON ? options.output : 'level'),
    inputs: [{ kind: 'value', column: series.target } as const, ...series.features].map(encode),
    window: options.window,
    horizon: options.horizon,
    season: SEASON,
  };
}

/** The model's input columns for every row (float64; a window is cast to float32 when it becomes a sample). */
export function encodeInputs(inputs: readonly InputEncoding[], columns: SeriesColumns): Float64Array[] {
  return inputs.map((input) => {
    const values = columnOf(columns, input.column);
    const out = new Float64Array(values.length);
    if (input.kind === 'value') {
      for (let i = 0; i < values.length; i++) out[i] = (values[i] - input.mean) / input.std;
    } else {
      const period = PERIODS[input.part];
      const trig = input.fn === 'sin' ? Math.sin : Math.cos;
      for (let i = 0; i < values.length; i++) {
        const date = new Date(values[i]);
        const value = input.part === 'dayOfWeek' ? date.getUTCDay() : date.getUTCMonth();
        out[i] = trig((2 * Math.PI * value) / period);
      }
    }
    return out;
  });
}

/** Samples for the windows starting at `starts`: x is [sample, window, input] row-major, as the model reads it. */
export function windowSamples(encoded: readonly Float64Array[], starts: readonly number[], window: number): Float32Array {
  const featureCount = encoded.length;
  const x = new Float32Array(starts.length * window * featureCount);
  starts.forEach((s, i) => {
    for (let t = 0; t < window; t++) {
      for (let f = 0; f < featureCount; f++) x[(i * window + t) * featureCount + f] = encoded[f][s + t];
    }
  });
  return x;
}

function outputEncodingOf(target: ArrayLike<number>, trainEnd: number, kind: OutputKind): OutputEncoding {
  if (kind === 'level') return { kind, ...standardiserOf(target, 0, trainEnd) };
  const changes = Float64Array.from({ length: Math.max(0, trainEnd - SEASON) }, (_, i) => target[i + SEASON] - target[i]);
  return { kind, ...standardiserOf(changes, 0, changes.length) };
}

/** What the model should output for the window whose first forecast row is `origin`: `horizon` standardised values. */
export function encodeOutputs(preprocessing: ForecastPreprocessing, target: ArrayLike<number>, origin: number, into: Float32Array, offset: number): void {
  const { output, horizon, season } = preprocessing;
  for (let k = 0; k < horizon; k++) {
    const base = output.kind === 'seasonal-difference' ? target[origin + k - seasonalLag(k, season)] : 0;
    into[offset + k] = (target[origin + k] - base - output.mean) / output.std;
  }
}

/** The forecast in the target's units from the model's `horizon` outputs for the window whose first forecast row is `origin`. */
export function decodeOutputs(preprocessing: ForecastPreprocessing, outputs: ArrayLike<number>, target: ArrayLike<number>, origin: number): number[] {
  const { output, horizon, season } = preprocessing;
  return Array.from({ length: horizon }, (_, k) => {
    const base = output.kind === 'seasonal-difference' ? target[origin + k - seasonalLag(k, season)] : 0;
    return outputs[k] * output.std + output.mean + base;
  });
}

/** The raw columns the preprocessing reads: the time column (if any) and each input's column, once each, in order. */
export function columnsRead(preprocessing: ForecastPreprocessing): string[] {
  return [...new Set([...(preprocessing.timeColumn ? [preprocessing.timeColumn] : []), ...preprocessing.inputs.map((i) => i.column)])];
}

function columnOf(columns: SeriesColumns, name: string): ArrayLike<number> {
  const values = columns[name];
  if (!values) throw new Error(`the series has no column '${name}'`);
  return values;
}
