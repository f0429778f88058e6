import * as tf from '@tensorflow/tfjs';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { ModelBundleMetadata, TextPreprocessing } from '@tuneforge/formats';
import { checkOneHotInput, loadModelBundle, type LoadOptions } from './model-bundle.loader';
import { PredictInputError } from './predict-errors';

export const MAX_GENERATED_CHARS = 100_000;
const PAD = ' ';

export interface GenerateOptions {
  /** How many characters to generate (default 200). */
  chars?: number;
  /** 0: always the likeliest next character; 1 (default): as the model predicts; above 1: flatter, more surprising. */
  temperature?: number;
  /** The sampler's seed (default 0): the same prompt, options and seed generate the same text on the same backend. */
  seed?: number;
}

export type TextBundleMetadata = ModelBundleMetadata & { preprocessing: TextPreprocessing };

export interface TextModel {
  readonly metadata: TextBundleMetadata;
  /**
   * Continues `prompt` by `chars` characters (the continuation only), sampling each next character
   * from the model's prediction for the `window` characters before it. The prompt may use only
   * characters of the model's vocabulary. A prompt shorter than the window is padded on the left with
   * spaces when the vocabulary has a space (what the corpus's word breaks look like), and refused when
   * it has none: no other character is a neutral start.
   */
  generate(prompt: string, options?: GenerateOptions): Promise<string>;
  dispose(): void;
}

/** A character model exported by Tuneforge (a URL of its model.json, or a folder with model.json and its weights). */
export async function loadTextModel(source: string, options: LoadOptions = {}): Promise<TextModel> {
  const { model, metadata } = await loadModelBundle(source, 'text', options);
  const { window, vocabulary } = metadata.preprocessing;
  checkOneHotInput(model, source, window, vocabulary.length, 'window');
  const ids = new Map(vocabulary.map((ch, i) => [ch, i]));
  return {
    metadata,
    async generate(prompt, options = {}) {
      const { chars, temperature, seed } = checkOptions(options);
      const context = promptIds(prompt, ids, window);
      const rng = xoroshiro128plus(seed);
      let out = '';
      for (let i = 0; i < chars; i++) {
        const probabilities = tf.tidy(() => model.predict(tf.oneHot(tf.tensor2d(context, [1, window], 'int32'), vocabulary.length)) as tf.Tensor);
        const next = sample(await probabilities.data(), temperature, () => uniformFloat64(rng));
        probabilities.dispose();
        out += vocabulary[next];
        context.shift();
        context.push(next);
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}

/** The ids of the prompt's last `window` characters, padded on the left (see TextModel.generate). */
function promptIds(prompt: string, ids: ReadonlyMap<string, number>, window: number): number[] {
  const characters = Array.from(prompt);
  const known = characters.map((ch) => ids.get(ch));
  const unknown = known.indexOf(undefined);
  if (unknown >= 0) {
    const ch = characters[unknown];
    const code = `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new PredictInputError([{ message: `character ${unknown + 1} of the prompt, ${JSON.stringify(ch)} (${code}), is not in the model's vocabulary of ${ids.size} characters` }]);
  }
  const used = (known as number[]).slice(-window);
  if (used.length === window) return used;
  const pad = ids.get(PAD);
  if (pad === undefined) throw new PredictInputError([{ message: `the prompt has ${characters.length} characters; this model reads ${window} and its vocabulary has no space to pad with` }]);
  return [...Array<number>(window - used.length).fill(pad), ...used];
}

/** The next character's id: the likeliest at temperature 0, otherwise drawn from the probabilities sharpened or flattened by the temperature. */
function sample(probabilities: ArrayLike<number>, temperature: number, uniform: () => number): number {
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
    return best;
  }
  const logits = Array.from(probabilities, (p) => Math.log(Math.max(p, 1e-30)) / temperature);
  const top = Math.max(...logits);
  const weights = logits.map((l) => Math.exp(l - top));
  let u = uniform() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u < 0) return i;
  }
  return weights.length - 1;
}

function checkOptions({ chars = 200, temperature = 1, seed = 0 }: GenerateOptions): Required<GenerateOptions> {
  const issues: string[] = [];
  if (!Number.isInteger(chars) || chars < 0 || chars > MAX_GENERATED_CHARS) issues.push(`chars must be a whole number from 0 to ${MAX_GENERATED_CHARS}, not ${chars}`);
  if (!Number.isFinite(temperature) || temperature < 0) issues.push(`temperature must be a number of at least 0, not ${temperature}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) issues.push(`seed must be a whole number from 0 to ${2 ** 32 - 1}, not ${seed}`);
  if (issues.length > 0) throw new PredictInputError(issues.map((message) => ({ message })));
  return { chars, temperature, seed };
}
