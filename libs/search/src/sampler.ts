import type { AlgorithmSpec, Direction } from '@tuneforge/contracts';
import type { Assignment, SearchSpace } from './dimension';

/** A finished trial as a sampler sees it: what it tried and how well it did. */
export interface Observation {
  assignment: Assignment;
  value: number;
}

/** What a sampler may learn from: finished trials (oldest first), and trials created but not finished (oldest first). */
export interface SearchHistory {
  observations: readonly Observation[];
  pending: readonly Assignment[];
  direction: Direction;
}

/**
 * How much of a sweep's history a suggestion reads: its `best` best results, its `newest` newest results
 * and its `pending` newest trials in flight. Given only those, a sampler suggests exactly what it would
 * given every result, so the caller reads a bounded amount however large the sweep grows.
 */
export interface HistoryWindow {
  best: number;
  newest: number;
  pending: number;
}

/**
 * How one `algorithm.type` chooses a sweep's trials, built for the sweep's space and budget. A new
 * algorithm is a file implementing this, its schema and ALGORITHM_TERMS entry in contracts, and its line in SAMPLERS.
 */
export interface Sampler {
  /** How many trials the sweep runs in all. */
  readonly totalTrials: number;
  /** What a suggestion reads of earlier results, so the caller reads that first; null when it depends on none. */
  readonly historyWindow: HistoryWindow | null;
  /** The assignment of trial `number` (below totalTrials), drawn with `seed`; `history` is empty when historyWindow is null. */
  suggest(number: number, seed: number, history: SearchHistory): Assignment;
}

/** How the registry builds the sampler of one algorithm from its spec. */
export interface SamplerFactory<S extends AlgorithmSpec> {
  create(spec: S, space: SearchSpace, maxTrials: number): Sampler;
}
