import * as tf from '@tensorflow/tfjs';
import { classifierInputIds, type ClassifyPreprocessing, type ModelBundleMetadata } from '@tuneforge/formats';
import { checkOneHotInput, loadModelBundle, type LoadOptions } from './model-bundle.loader';
import { PredictInputError } from './predict-errors';

/** Texts classified in one call at most (each is a row of maxLength one-hot characters). */
export const MAX_TEXTS = 10_000;

export type ClassifierBundleMetadata = ModelBundleMetadata & { preprocessing: ClassifyPreprocessing };

export interface Classification {
  /** The likeliest class, and its probability. */
  label: string;
  probability: number;
  /** Every class's probability, in the model's order. */
  probabilities: Record<string, number>;
}

export interface Classifier {
  readonly metadata: ClassifierBundleMetadata;
  /** The class of each text: its last maxLength characters, encoded as the model was trained (characters it never saw read as unknown). */
  classify(texts: readonly string[]): Promise<Classification[]>;
  dispose(): void;
}

/** A sequence classifier exported by Tuneforge (a URL of its model.json, or a folder with model.json and its weights). */
export async function loadClassifier(source: string, options: LoadOptions = {}): Promise<Classifier> {
  const { model, metadata } = await loadModelBundle(source, 'classify', options);
  const { maxLength, vocabulary, classes } = metadata.preprocessing;
  checkOneHotInput(model, source, maxLength, vocabulary.length, 'maxLength');
  const ids = new Map(vocabulary.map((ch, i) => [ch, i]));
  return {
    metadata,
    async classify(texts) {
      checkTexts(texts);
      const encoded = new Int32Array(texts.length * maxLength);
      texts.forEach((text, i) => encoded.set(classifierInputIds(text, ids, maxLength), i * maxLength));
      const output = tf.tidy(() => model.predict(tf.oneHot(tf.tensor2d(encoded, [texts.length, maxLength], 'int32'), vocabulary.length)) as tf.Tensor);
      const probabilities = await output.data();
      output.dispose();
      return texts.map((_, i) => {
        const row = Array.from(probabilities.subarray(i * classes.length, (i + 1) * classes.length));
        const best = row.indexOf(Math.max(...row));
        return { label: classes[best], probability: row[best], probabilities: Object.fromEntries(classes.map((c, k) => [c, row[k]])) };
      });
    },
    dispose: () => model.dispose(),
  };
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
