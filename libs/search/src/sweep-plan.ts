import { AlgorithmSchema, type AlgorithmOf, type AlgorithmSpec, type AlgorithmType, type Direction } from '@tuneforge/contracts';
import type { Assignment, SearchSpace } from './dimension';
import { GridSampler } from './grid.sampler';
import { RandomSampler } from './random.sampler';
import { registered } from './registry';
import type { HistoryWindow, Observation, Sampler, SamplerFactory } from './sampler';
import { deriveTrialSeed } from './seeds';
import { TpeSampler } from './tpe.sampler';

/** The sampler of each `algorithm.type` of the sweep spec. */
export const SAMPLERS: { readonly [T in AlgorithmType]: SamplerFactory<AlgorithmOf<T>> } = {
  grid: { create: (_spec, space, maxTrials) => new GridSampler(space, maxTrials) },
  random: { create: (_spec, space, maxTrials) => new RandomSampler(space, maxTrials) },
  tpe: { create: (spec, space, maxTrials) => new TpeSampler(spec, space, maxTrials) },
};

export function samplerOf(algorithm: AlgorithmSpec, space: SearchSpace, maxTrials: number): Sampler {
  return registered<Record<string, SamplerFactory<AlgorithmSpec>>>(SAMPLERS, 'search algorithm', algorithm.type).create(algorithm, space, maxTrials);
}

export interface PlannedTrial {
  number: number;
  seed: number;
  assignment: Assignment;
}

/**
 * How a sweep's trials are chosen. Trial n depends only on (space, algorithm, sweep seed, n), so
 * trials can be created a few at a time and the same spec and seed always give the same configs.
 */
export class SweepPlan {
  private readonly sampler: Sampler;

  /** `algorithm` alone as a type takes the schema's defaults for the rest. */
  constructor(
    algorithm: AlgorithmSpec | AlgorithmType,
    space: SearchSpace,
    private readonly sweepSeed: number,
    maxTrials: number,
  ) {
    this.sampler = samplerOf(typeof algorithm === 'string' ? AlgorithmSchema.parse({ type: algorithm }) : algorithm, space, maxTrials);
  }

  /** How many trials the sweep runs in all. */
  get totalTrials(): number {
    return this.sampler.totalTrials;
  }

  /** What of the results so far trial n depends on (TPE), null when it depends on n alone; `suggest` needs only that. */
  get historyWindow(): HistoryWindow | null {
    return this.sampler.historyWindow;
  }

  /** Trial `number` given the results so far and the trials still running (samplers that do not need history ignore them). */
  suggest(number: number, observations: readonly Observation[], pending: readonly Assignment[], direction: Direction): PlannedTrial {
    if (number >= this.totalTrials) throw new RangeError(`trial ${number} is past the sweep's ${this.totalTrials} trials`);
    const seed = deriveTrialSeed(this.sweepSeed, number);
    return { number, seed, assignment: this.sampler.suggest(number, seed, { observations, pending, direction }) };
  }

  /** Trial `number` without any results to learn from. */
  trial(number: number): PlannedTrial {
    return this.suggest(number, [], [], 'minimize');
  }
}
