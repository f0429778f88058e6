import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { RandomForestRegression } from 'ml-random-forest';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

/** How a hyperparameter's values become a number the forest can split on. */
export type ImportanceFeature = { name: string; kind: 'log' | 'linear' } | { name: string; kind: 'category'; categories: readonly string[] };

export interface ImportanceOptions {
  trees?: number;
  /** Shuffles of each feature on the held-out trials, averaged. */
  repeats?: number;
  /** The share of trials held out to measure on. */
  heldOut?: number;
  /** A bigger sweep is sampled down to this many trials (seeded): the forest's cost grows faster than what it learns. */
  maxTrials?: number;
  seed?: number;
}

export interface HyperparameterImportance {
  /** The method, as the UI names it. */
  method: string;
  /** Trials the forest learned from and was measured on (a sample of a big sweep's). */
  trained: number;
  measured: number;
  /** Each feature's share of the total importance (summing to 1 when any has some), largest first, and the held-out error it adds. */
  parameters: { name: string; importance: number; mseIncrease: number }[];
}

export const IMPORTANCE_METHOD = 'permutation importance of a random forest on held-out trials';
/** Fewer trials say nothing about importance. */
export const MIN_IMPORTANCE_TRIALS = 10;

/**
 * Which hyperparameters the objective depends on: a random forest (ml-random-forest) learns the objective from the
 * hyperparameters of most trials; on the trials it did not see, each hyperparameter's values are shuffled in turn,
 * and its importance is how much that raises the forest's squared error (Breiman's permutation importance, as
 * scikit-learn's permutation_importance measures it on held-out data). Log dimensions are split on their logarithm,
 * choices on their index. Seeded: the same trials give the same answer.
 */
export function hyperparameterImportance(
  features: readonly ImportanceFeature[],
  trials: readonly { values: readonly unknown[]; objective: number }[],
  options: ImportanceOptions = {},
): HyperparameterImportance {
  const { trees = 64, repeats = 5, heldOut = 0.25, seed = 7, maxTrials = 1_000 } = options;
  if (trials.length < MIN_IMPORTANCE_TRIALS) throw new RangeError(`importance needs at least ${MIN_IMPORTANCE_TRIALS} finished trials; there are ${trials.length}`);
  if (features.length === 0) throw new RangeError('the sweep searches no hyperparameter');
  const rows = trials.map((t) => features.map((f, i) => encode(f, t.values[i])));
  const rng = xoroshiro128plus(seed);
  const order = shuffle(trials.map((_, i) => i), rng).slice(0, maxTrials);
  const measuredCount = Math.max(3, Math.round(trials.length * heldOut));
  const measured = order.slice(0, measuredCount);
  const trained = order.slice(measuredCount);
  const forest = new RandomForestRegression({ nEstimators: trees, maxFeatures: 1.0, replacement: false, useSampleBagging: true, seed, noOOB: true, treeOptions: { minNumSamples: 3 } });
  forest.train(
    trained.map((i) => rows[i]),
    trained.map((i) => trials[i].objective),
  );
  const truth = measured.map((i) => trials[i].objective);
  const mse = (x: number[][]) => forest.predict(x).reduce((sum, p, k) => sum + (p - truth[k]) ** 2, 0) / truth.length;
  const base = mse(measured.map((i) => rows[i]));
  const increases = features.map((_, f) => {
    let total = 0;
    for (let r = 0; r < repeats; r++) {
      const column = shuffle(measured.map((i) => rows[i][f]), rng);
      total += mse(measured.map((i, k) => rows[i].map((v, j) => (j === f ? column[k] : v)))) - base;
    }
    return Math.max(0, total / repeats);
  });
  const sum = increases.reduce((a, b) => a + b, 0);
  return {
    method: IMPORTANCE_METHOD,
    trained: trained.length,
    measured: measured.length,
    parameters: features.map((f, i) => ({ name: f.name, importance: sum > 0 ? increases[i] / sum : 0, mseIncrease: increases[i] })).sort((a, b) => b.importance - a.importance),
  };
}

/**
 * hyperparameterImportance on a worker thread: growing the forest takes a second or more for a big sweep, which
 * would stall every request of the process it ran in. The thread inherits the process's `-r ./tools/register.js`.
 */
export function importanceOffThread(...args: Parameters<typeof hyperparameterImportance>): Promise<HyperparameterImportance> {
  const [features, trials, options] = args;
  return new Promise((resolve, reject) => {
    const thread = new Worker(join(__dirname, 'importance.thread.ts'), { workerData: { features, trials, options } });
    thread.once('message', (reply: { answer: HyperparameterImportance } | { error: string }) => {
      if ('answer' in reply) resolve(reply.answer);
      else reject(new RangeError(reply.error));
      void thread.terminate();
    });
    thread.once('error', reject);
    thread.once('exit', (code) => code !== 0 && reject(new Error(`the importance thread exited with code ${code}`)));
  });
}

function encode(feature: ImportanceFeature, value: unknown): number {
  if (feature.kind === 'category') {
    const index = feature.categories.indexOf(String(value));
    return index >= 0 ? index : feature.categories.length;
  }
  const number = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(number)) return 0;
  return feature.kind === 'log' ? Math.log10(Math.max(number, Number.MIN_VALUE)) : number;
}

function shuffle<T>(items: T[], rng: ReturnType<typeof xoroshiro128plus>): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
