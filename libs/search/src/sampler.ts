import type { AlgorithmSpec, Direction } from '@tuneforge/contracts';
import type { Assignment, SearchSpace } from './dimension';

/** A finished trial as a sampler sees it: what it tried and how well it did. */
export interface Observation {
  assignment: Assignment;
  value: number;
}

/** What a sampler may learn from: finished trials, and trials created but not finished. */
export interface SearchHistory {
  observations: readonly Observation[];
  pending: readonly Assignment[];
  direction: Direction;
}

/**
 * How one `algorithm.type` chooses a sweep's trials, built for the sweep's space and budget. A new
 * algorithm is a file implementing this, its schema and ALGORITHM_TERMS entry in contracts, and its line in SAMPLERS.
 */
export interface Sampler {
  /** How many trials the sweep runs in all. */
  readonly totalTrials: number;
  /** Whether a suggestion depends on earlier results, so the caller must read them first. */
  readonly needsHistory: boolean;
  /** The assignment of trial `number` (below totalTrials), drawn with `seed`; `history` is empty unless needsHistory. */
  suggest(number: number, seed: number, history: SearchHistory): Assignment;
}

/** How the registry builds the sampler of one algorithm from its spec. */
export interface SamplerFactory<S extends AlgorithmSpec> {
  create(spec: S, space: SearchSpace, maxTrials: number): Sampler;
}
