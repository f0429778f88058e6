import { z } from 'zod';
import type { SpecIssue } from './early-stopping.schema';
import type { Dimension } from './search-space.schema';
import type { SweepSpec } from './sweep-spec.schema';

export const GridAlgorithmSchema = z.strictObject({ type: z.literal('grid') });
export const RandomAlgorithmSchema = z.strictObject({ type: z.literal('random') });
export const TpeAlgorithmSchema = z.strictObject({
  type: z.literal('tpe'),
  /** Trials drawn at random before TPE models the results. */
  startupTrials: z.int().min(1).max(10_000).default(10),
  /** Candidates scored per suggestion. */
  candidates: z.int().min(1).max(10_000).default(24),
});

export const AlgorithmSchema = z.discriminatedUnion('type', [GridAlgorithmSchema, RandomAlgorithmSchema, TpeAlgorithmSchema]);
export type AlgorithmSpec = z.output<typeof AlgorithmSchema>;
export type AlgorithmType = AlgorithmSpec['type'];
export type AlgorithmOf<T extends AlgorithmType> = Extract<AlgorithmSpec, { type: T }>;

/** The dimensions a sweep searches, and whether their conditions are sound (unknown parents and cycles make them unreadable). */
export interface SearchedSpace {
  dimensions: Record<string, Dimension>;
  conditionsHold: boolean;
}

/** What the spec says of one algorithm beyond its fields. */
interface AlgorithmTerms {
  /** Whether it learns from results, so that a warm start from an earlier sweep means something to it. */
  learnsFromResults: boolean;
  /** What it cannot search; paths are from the spec's root. */
  spaceIssues?(space: SearchedSpace): SpecIssue[];
}

/** One entry per `algorithm.type`; the search library holds the samplers under the same keys. */
export const ALGORITHM_TERMS: { readonly [T in AlgorithmType]: AlgorithmTerms } = {
  grid: {
    learnsFromResults: false,
    spaceIssues: ({ dimensions, conditionsHold }) =>
      conditionsHold && Object.values(dimensions).some((d) => d.when)
        ? [{ path: ['algorithm', 'type'], message: 'grid search does not take conditional or per-layer dimensions; use random or tpe' }]
        : [],
  },
  random: { learnsFromResults: false },
  tpe: {
    learnsFromResults: true,
    spaceIssues: ({ dimensions }) =>
      Object.keys(dimensions).length === 0 ? [{ path: ['searchSpace'], message: 'TPE needs at least one search dimension; with none, use random' }] : [],
  },
};

export function algorithmIssues(spec: SweepSpec, space: SearchedSpace): SpecIssue[] {
  const terms = ALGORITHM_TERMS[spec.algorithm.type];
  const issues = terms.spaceIssues?.(space) ?? [];
  if (spec.warmStartFrom && !terms.learnsFromResults) {
    const learners = Object.entries(ALGORITHM_TERMS)
      .filter(([, t]) => t.learnsFromResults)
      .map(([type]) => type);
    issues.push({ path: ['warmStartFrom'], message: `only ${learners.join(' or ')} learns from earlier results; ${spec.algorithm.type} search would ignore them` });
  }
  return issues;
}
