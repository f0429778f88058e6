import * as tf from '@tensorflow/tfjs';
import {
  classifierInputIds,
  encodeSequences,
  isSeriesClassifier,
  parseCsvTable,
  type ModelBundleMetadata,
  type SeriesClassifyPreprocessing,
  type TextClassifyPreprocessing,
} from '@tuneforge/formats';
import { checkOneHotInput, inputShapeOf, loadModelBundle, type LoadOptions } from './model-bundle.loader';
import { MAX_INPUT_ISSUES, ModelBundleError, PredictInputError, type InputIssue } from './predict-errors';
import { csvInputError } from './forecast-rows';

/** Texts (or sequences) classified in one call at most. */
export const MAX_TEXTS = 10_000;

export type ClassifierBundleMetadata = ModelBundleMetadata & { preprocessing: TextClassifyPreprocessing };
export type SeriesClassifierBundleMetadata = ModelBundleMetadata & { preprocessing: SeriesClassifyPreprocessing };

export interface Classification {
  /** The likeliest class, and its probability. */
  label: string;
  probability: number;
  /** Every class's probability, in the model's order. */
  probabilities: Record<string, number>;
}

/** A classifier of texts. */
export interface TextClassifier {
  readonly kind: 'text';
  readonly metadata: ClassifierBundleMetadata;
  /** The class of each text: its last maxLength characters, encoded as the model was trained (characters it never saw read as unknown). */
  classify(texts: readonly string[]): Promise<Classification[]>;
  dispose(): void;
}

/** One sequence of rows: each row the model's input columns by name, oldest first. */
export type SequenceRows = readonly Readonly<Record<string, unknown>>[];

/** A classifier of sequences of feature rows (trained on an uploaded table). */
export interface SeriesClassifier {
  readonly kind: 'series';
  readonly metadata: SeriesClassifierBundleMetadata;
  /** The class of each sequence, standardised and padded as in training (a window model reads each sequence's last `steps` rows). */
  classify(sequences: readonly SequenceRows[]): Promise<Classification[]>;
  /** A CSV's sequences: rows grouped by the model's sequence column in file order, or the whole file as one sequence. */
  readCsv(text: string): { ids: string[]; sequences: SequenceRows[] };
  dispose(): void;
}

export type Classifier = TextClassifier | SeriesClassifier;

/** A sequence classifier exported by Tuneforge (a URL of its model.json, or a folder with model.json and its weights). */
export async function loadClassifier(source: string, options: LoadOptions = {}): Promise<Classifier> {
  const { model, metadata } = await loadModelBundle(source, 'classify', options);
  const { preprocessing } = metadata;
  if (isSeriesClassifier(preprocessing)) return seriesClassifier(model, { ...metadata, preprocessing }, source);
  return textClassifier(model, { ...metadata, preprocessing }, source);
}

function textClassifier(model: tf.LayersModel, metadata: ClassifierBundleMetadata, source: string): TextClassifier {
  const { maxLength, vocabulary, classes } = metadata.preprocessing;
  checkOneHotInput(model, source, maxLength, vocabulary.length, 'maxLength');
  const ids = new Map(vocabulary.map((ch, i) => [ch, i]));
  return {
    kind: 'text',
    metadata,
    async classify(texts) {
      checkTexts(texts);
      const encoded = new Int32Array(texts.length * maxLength);
      texts.forEach((text, i) => encoded.set(classifierInputIds(text, ids, maxLength), i * maxLength));
      return classesOf(model, () => tf.oneHot(tf.tensor2d(encoded, [texts.length, maxLength], 'int32'), vocabulary.length), texts.length, classes);
    },
    dispose: () => model.dispose(),
  };
}

function seriesClassifier(model: tf.LayersModel, metadata: SeriesClassifierBundleMetadata, source: string): SeriesClassifier {
  const { steps, inputs, classes, sequence } = metadata.preprocessing;
  const input = inputShapeOf(model);
  if (input.length !== 2 || input[0] !== steps || input[1] !== inputs.length) {
    model.dispose();
    throw new ModelBundleError(`${source} is inconsistent: the model reads [${input.join(', ')}] where its preprocessing makes [${steps}, ${inputs.length}] (steps, features)`);
  }
  const columns = inputs.map((i) => i.column);
  return {
    kind: 'series',
    metadata,
    async classify(sequences) {
      const rows = sequenceValues(sequences, columns, sequence === null ? steps : null);
      const encoded = encodeSequences(rows, metadata.preprocessing);
      return classesOf(model, () => tf.tensor3d(encoded, [rows.length, steps, inputs.length]), rows.length, classes);
    },
    readCsv(text) {
      const table = csvInputError(() => parseCsvTable(text, { minRows: 1 }));
      const missing = [...columns, ...(sequence ? [sequence] : [])].filter((name) => !(name in table.cells));
      if (missing.length > 0) throw new PredictInputError(missing.map((column) => ({ line: 1, column, message: `is missing; the model reads ${[...columns, ...(sequence ? [sequence] : [])].map((c) => `'${c}'`).join(', ')}` })));
      const rowOf = (r: number) => Object.fromEntries(columns.map((c) => [c, table.cells[c][r]]));
      if (sequence === null) return { ids: ['all rows'], sequences: [Array.from({ length: table.rowCount }, (_, r) => rowOf(r))] };
      const groups = new Map<string, Record<string, unknown>[]>();
      table.cells[sequence].forEach((id, r) => groups.set(id, [...(groups.get(id) ?? []), rowOf(r)]));
      return { ids: [...groups.keys()], sequences: [...groups.values()] };
    },
    dispose: () => model.dispose(),
  };
}

async function classesOf(model: tf.LayersModel, inputs: () => tf.Tensor, count: number, classes: readonly string[]): Promise<Classification[]> {
  const output = tf.tidy(() => model.predict(inputs()) as tf.Tensor);
  const probabilities = await output.data();
  output.dispose();
  return Array.from({ length: count }, (_, i) => {
    const row = Array.from(probabilities.subarray(i * classes.length, (i + 1) * classes.length));
    const best = row.indexOf(Math.max(...row));
    return { label: classes[best], probability: row[best], probabilities: Object.fromEntries(classes.map((c, k) => [c, row[k]])) };
  });
}

function checkTexts(texts: readonly string[]): void {
  const issues: { message: string }[] = [];
  if (texts.length === 0) issues.push({ message: 'give at least one text to classify' });
  if (texts.length > MAX_TEXTS) issues.push({ message: `${texts.length} texts; at most ${MAX_TEXTS} at a time` });
  texts.forEach((text, i) => {
    if (typeof text !== 'string') issues.push({ message: `text ${i + 1} is not a string` });
    else if (text.trim().length === 0) issues.push({ message: `text ${i + 1} is empty` });
  });
  if (issues.length > 0) throw new PredictInputError(issues);
}

/**
 * Each sequence's rows as numbers in the model's column order, or every problem: no sequences, an empty
 * sequence, too few rows for a window model (`window`), a missing or non-numeric cell.
 */
function sequenceValues(sequences: readonly SequenceRows[], columns: readonly string[], window: number | null): number[][][] {
  const issues: InputIssue[] = [];
  const add = (issue: InputIssue) => issues.length < MAX_INPUT_ISSUES && issues.push(issue);
  if (sequences.length === 0) add({ message: 'give at least one sequence to classify' });
  if (sequences.length > MAX_TEXTS) add({ message: `${sequences.length} sequences; at most ${MAX_TEXTS} at a time` });
  const values = sequences.map((rows, s) => {
    const where = sequences.length > 1 ? `sequence ${s + 1}: ` : '';
    if (rows.length === 0) add({ message: `${where}has no rows` });
    if (window !== null && rows.length < window) add({ message: `${where}${rows.length} rows are too few: the model reads windows of ${window} rows` });
    return rows.map((row, r) =>
      columns.map((column) => {
        const cell = row[column];
        const value = typeof cell === 'number' ? cell : typeof cell === 'string' && cell.trim() !== '' ? Number(cell) : NaN;
        if (!Number.isFinite(value)) add({ row: r + 1, column, message: `${where}${cell === undefined ? 'is missing' : `${JSON.stringify(cell)} is not a number`}` });
        return value;
      }),
    );
  });
  if (issues.length > 0) throw new PredictInputError(issues);
  return values;
}
