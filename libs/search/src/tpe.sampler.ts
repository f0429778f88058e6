import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { TpeAlgorithmSchema, type AlgorithmOf, type Direction } from '@tuneforge/contracts';
import { isActive, type Assignment, type Dimension, type ParamValue, type SearchSpace } from './dimension';
import { roundFloat, sampleRandom } from './random.sampler';
import type { HistoryWindow, Observation, Sampler, SearchHistory } from './sampler';

type Rng = ReturnType<typeof xoroshiro128plus>;

/** `startupTrials`: drawn at random before TPE takes over; `candidates`: drawn from the good-trial density per dimension, the one with the best l(x)/g(x) wins. */
export type TpeOptions = Omit<AlgorithmOf<'tpe'>, 'type'>;

/** The schema's defaults. */
export const TPE_DEFAULTS: TpeOptions = optionsOf(TpeAlgorithmSchema.parse({ type: 'tpe' }));

function optionsOf({ startupTrials, candidates }: AlgorithmOf<'tpe'>): TpeOptions {
  return { startupTrials, candidates };
}

/** TPE search: each suggestion models the results so far (and the trials still running). */
export class TpeSampler implements Sampler {
  readonly historyWindow: HistoryWindow;
  private readonly options: TpeOptions;

  constructor(
    spec: AlgorithmOf<'tpe'>,
    private readonly space: SearchSpace,
    readonly totalTrials: number,
  ) {
    this.options = optionsOf(spec);
    this.historyWindow = tpeHistoryWindow(this.options);
  }

  suggest(_number: number, seed: number, { observations, pending, direction }: SearchHistory): Assignment {
    return suggestTpe(this.space, observations, pending, direction, seed, this.options);
  }
}

/** The good set holds at most this many results: gamma(n) = min(ceil(n / 10), 25), as in Optuna and Hyperopt. */
export const TPE_GOOD_MAX = 25;

/**
 * The bad set holds the newest this many of the results outside the good set and the trials in flight; older
 * ones are forgotten, so a suggestion costs the same at trial 100,000 as at trial 1,000 (ARCHITECTURE.md,
 * "TPE at scale"). Kernel widths stop narrowing at a hundredth of the range from 99 points on, so g is already
 * as sharp as it gets well below this; what older points add is weight on regions the search has left.
 */
export const TPE_BAD_MAX = 1_000;

/**
 * What a TPE suggestion can depend on: the good set comes from the best TPE_GOOD_MAX results, the bad set
 * from the newest TPE_BAD_MAX results outside it (so from the newest TPE_BAD_MAX + TPE_GOOD_MAX results) and
 * pending trials. With at least `newest` results, gamma(n) is at its cap and start-up is over, so how many
 * more there are changes nothing.
 */
export function tpeHistoryWindow(options: TpeOptions): HistoryWindow {
  return { best: TPE_GOOD_MAX, newest: Math.max(TPE_BAD_MAX + TPE_GOOD_MAX, options.startupTrials), pending: TPE_BAD_MAX };
}

/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011), univariate as in Optuna's default: the
 * best gamma(n) = min(ceil(n / 10), 25) observations make the "good" density l, the newest TPE_BAD_MAX
 * others the "bad" density g, per dimension (Gaussian kernels plus a uniform prior; counts plus one for choices), and
 * the candidate drawn from l with the highest l/g is suggested. `pending` are trials created but not
 * finished: they join the bad set as its newest members (a constant liar), so that workers
 * asking at the same time do not all get the same suggestion. `observations` are oldest first.
 */
export function suggestTpe(
  space: SearchSpace,
  observations: readonly Observation[],
  pending: readonly Assignment[],
  direction: Direction,
  seed: number,
  options: TpeOptions = TPE_DEFAULTS,
): Assignment {
  if (observations.length < options.startupTrials) return sampleRandom(space, seed);
  const { good, bad } = splitHistory(observations, pending, direction);
  const rng = xoroshiro128plus(seed);
  const suggestion: Assignment = {};
  for (const [name, dimension] of Object.entries(space)) {
    if (!isActive(dimension, suggestion)) continue;
    const goodValues = good.map((a) => a[name]).filter((v) => v !== undefined);
    const badValues = bad.map((a) => a[name]).filter((v) => v !== undefined);
    suggestion[name] =
      dimension.type === 'choice'
        ? suggestChoice(dimension.values, goodValues, badValues, rng, options.candidates)
        : suggestNumeric(dimension, goodValues as number[], badValues as number[], rng, options.candidates);
  }
  return suggestion;
}

/**
 * The good set, best first, and the bad set: the newest TPE_BAD_MAX of the other results and the pending
 * trials (pending count as the newest), results in value order, then pending. Only the best TPE_GOOD_MAX
 * and the newest TPE_BAD_MAX + TPE_GOOD_MAX results can matter (tpeHistoryWindow).
 */
function splitHistory(observations: readonly Observation[], pending: readonly Assignment[], direction: Direction): { good: Assignment[]; bad: Assignment[] } {
  const sign = direction === 'minimize' ? 1 : -1;
  // Array.prototype.sort is stable: equal values stay oldest first.
  const values = Float64Array.from(observations, (o) => o.value);
  const byValue = observations.map((_, i) => i).sort((a, b) => sign * (values[a] - values[b]));
  const nGood = Math.min(Math.ceil(observations.length / 10), TPE_GOOD_MAX);
  const isGood = new Uint8Array(observations.length);
  for (const i of byValue.slice(0, nGood)) isGood[i] = 1;
  const keptPending = pending.slice(Math.max(0, pending.length - TPE_BAD_MAX));
  const keptResult = new Uint8Array(observations.length);
  let room = TPE_BAD_MAX - keptPending.length;
  for (let i = observations.length - 1; i >= 0 && room > 0; i--) {
    if (!isGood[i]) {
      keptResult[i] = 1;
      room--;
    }
  }
  return {
    good: byValue.slice(0, nGood).map((i) => observations[i].assignment),
    bad: [...byValue.filter((i) => keptResult[i] === 1).map((i) => observations[i].assignment), ...keptPending],
  };
}

function suggestChoice(values: readonly ParamValue[], good: ParamValue[], bad: ParamValue[], rng: Rng, candidates: number): ParamValue {
  const weights = (seen: ParamValue[]) => values.map((v) => (seen.filter((s) => s === v).length + 1) / (seen.length + values.length));
  const l = weights(good);
  const g = weights(bad);
  let best = 0;
  let bestScore = -Infinity;
  for (let i = 0; i < candidates; i++) {
    const index = drawIndex(l, rng);
    const score = Math.log(l[index]) - Math.log(g[index]);
    if (score > bestScore) [best, bestScore] = [index, score];
  }
  return values[best];
}

/** Below e^-745 a kernel's term is exactly 0 in double precision: such terms are skipped, which changes no sum. */
const NEGLIGIBLE_SQUARED_DISTANCE = 1491;

/** A Parzen estimator on [low, high]: a uniform prior plus one truncated Gaussian per observation. */
class Parzen {
  private readonly mus: Float64Array;
  private readonly sigmas: Float64Array;
  /** Each kernel's normalising factor: sigma * sqrt(2 pi) * its mass inside [low, high]. */
  private readonly norms: Float64Array;
  constructor(
    values: readonly number[],
    private readonly low: number,
    private readonly high: number,
  ) {
    const range = high - low;
    const mus = Float64Array.from(values);
    const sorted = Float64Array.from(values).sort();
    const minSigma = range / Math.min(100, mus.length + 1);
    const sigmas = new Float64Array(mus.length);
    const norms = new Float64Array(mus.length);
    for (let k = 0; k < mus.length; k++) {
      const mu = mus[k];
      // Neighbours in sorted order, taken from the value's first copy when it repeats.
      const i = firstIndexOf(sorted, mu);
      const left = i > 0 ? mu - sorted[i - 1] : mu - low;
      const right = i < sorted.length - 1 ? sorted[i + 1] - mu : high - mu;
      const sigma = Math.min(range, Math.max(minSigma, left, right));
      const mass = normalCdf((high - mu) / sigma) - normalCdf((low - mu) / sigma);
      sigmas[k] = sigma;
      norms[k] = sigma * Math.sqrt(2 * Math.PI) * Math.max(mass, 1e-12);
    }
    this.mus = mus;
    this.sigmas = sigmas;
    this.norms = norms;
  }

  sample(rng: Rng): number {
    const component = uniformInt(rng, 0, this.mus.length); // index mus.length is the prior
    if (component === this.mus.length) return this.low + (this.high - this.low) * uniformFloat64(rng);
    for (let attempt = 0; attempt < 100; attempt++) {
      const x = this.mus[component] + this.sigmas[component] * gaussian(rng);
      if (x >= this.low && x <= this.high) return x;
    }
    return Math.min(this.high, Math.max(this.low, this.mus[component]));
  }

  logDensity(x: number): number {
    const range = this.high - this.low;
    let total = 1 / range; // the prior
    const { mus, sigmas, norms } = this;
    for (let i = 0; i < mus.length; i++) {
      const squared = ((x - mus[i]) / sigmas[i]) ** 2;
      if (squared < NEGLIGIBLE_SQUARED_DISTANCE) total += Math.exp(-0.5 * squared) / norms[i];
    }
    return Math.log(total / (this.mus.length + 1));
  }
}

function suggestNumeric(dimension: Extract<Dimension, { min: number }>, good: number[], bad: number[], rng: Rng, candidates: number): number {
  const log = dimension.log === true;
  const isInt = dimension.type === 'int';
  // Integers get half a step either side so that every value owns the same width.
  const half = isInt ? 0.5 : 0;
  const to = (v: number) => (log ? Math.log(v) : v);
  const low = to(dimension.min - half);
  const high = to(dimension.max + half);
  const l = new Parzen(good.map(to), low, high);
  const g = new Parzen(bad.map(to), low, high);
  let best = l.sample(rng);
  let bestScore = -Infinity;
  for (let i = 0; i < candidates; i++) {
    const x = l.sample(rng);
    const score = l.logDensity(x) - g.logDensity(x);
    if (score > bestScore) [best, bestScore] = [x, score];
  }
  return snap(dimension, log ? Math.exp(best) : best);
}

/** The first index of `value` in ascending `sorted` (which holds it). */
function firstIndexOf(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function snap(dimension: Extract<Dimension, { min: number }>, value: number): number {
  const clamp = (v: number) => Math.min(dimension.max, Math.max(dimension.min, v));
  if (dimension.step !== undefined) {
    const steps = Math.round((value - dimension.min) / dimension.step);
    const snapped = clamp(dimension.min + steps * dimension.step);
    return dimension.type === 'int' ? snapped : roundFloat(snapped);
  }
  return dimension.type === 'int' ? clamp(Math.round(value)) : clamp(value);
}

function drawIndex(weights: number[], rng: Rng): number {
  let u = uniformFloat64(rng) * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i];
    if (u <= 0) return i;
  }
  return weights.length - 1;
}

function gaussian(rng: Rng): number {
  const u = 1 - uniformFloat64(rng);
  const v = uniformFloat64(rng);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Standard normal CDF (Abramowitz and Stegun 7.1.26 on erf). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}
