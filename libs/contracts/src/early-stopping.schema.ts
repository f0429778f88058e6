import { z } from 'zod';
import type { Budget } from './sweep-spec.schema';

/** A problem a refinement found, with its path below the part of the spec it checks. */
export interface SpecIssue {
  path: (string | number)[];
  message: string;
}

const successiveHalving = {
  /** Epochs of the first rung. */
  minEpochs: z.int().min(1).max(10_000).default(1),
  /** Keep the best 1/reductionFactor at each rung; rungs are minEpochs x reductionFactor^k. */
  reductionFactor: z.int().min(2).max(100).default(3),
  /** Last epoch a trial may reach; defaults to budget.maxEpochsPerTrial. */
  maxEpochs: z.int().min(1).max(10_000).optional(),
};

export const NoStoppingSchema = z.strictObject({ type: z.literal('none') });
export const AshaSchema = z.strictObject({ type: z.literal('asha'), ...successiveHalving });
export const HyperbandSchema = z.strictObject({ type: z.literal('hyperband'), ...successiveHalving });
export const MedianStoppingSchema = z.strictObject({
  type: z.literal('median'),
  /** Epochs every trial runs before it can be stopped. */
  warmupEpochs: z.int().min(0).max(10_000).default(1),
  /** Other trials that must have reported an epoch before the median at that epoch is used. */
  minTrials: z.int().min(1).max(10_000).default(5),
});

export const EarlyStoppingSchema = z.discriminatedUnion('type', [NoStoppingSchema, AshaSchema, HyperbandSchema, MedianStoppingSchema]);
export type EarlyStoppingSpec = z.output<typeof EarlyStoppingSchema>;
export type EarlyStoppingType = EarlyStoppingSpec['type'];
export type EarlyStoppingOf<T extends EarlyStoppingType> = Extract<EarlyStoppingSpec, { type: T }>;

type EpochBudget = Pick<Budget, 'maxEpochsPerTrial'>;

/** What the spec says of one rule beyond its fields: how they must sit with the budget, and how long its trials run. */
interface EarlyStoppingTerms<S extends EarlyStoppingSpec> {
  /** Paths are below `earlyStopping`. */
  issues?(rule: S, budget: EpochBudget): SpecIssue[];
  /** Epochs a trial may run; without it, budget.maxEpochsPerTrial. */
  trialEpochs?(rule: S, budget: EpochBudget): number;
}

const successiveHalvingTerms: EarlyStoppingTerms<EarlyStoppingOf<'asha' | 'hyperband'>> = {
  trialEpochs: (rule, budget) => rule.maxEpochs ?? budget.maxEpochsPerTrial,
  issues(rule, budget) {
    const issues: SpecIssue[] = [];
    const maxEpochs = rule.maxEpochs ?? budget.maxEpochsPerTrial;
    if (rule.maxEpochs !== undefined && rule.maxEpochs > budget.maxEpochsPerTrial) {
      issues.push({ path: ['maxEpochs'], message: `must be <= budget.maxEpochsPerTrial (${budget.maxEpochsPerTrial})` });
    }
    if (rule.minEpochs > maxEpochs) issues.push({ path: ['minEpochs'], message: `minEpochs (${rule.minEpochs}) must be <= maxEpochs (${maxEpochs})` });
    return issues;
  },
};

/** One entry per `earlyStopping.type`; the search library holds the rules' behaviour under the same keys. */
export const EARLY_STOPPING_TERMS: { readonly [T in EarlyStoppingType]: EarlyStoppingTerms<EarlyStoppingOf<T>> } = {
  none: {},
  asha: successiveHalvingTerms,
  hyperband: successiveHalvingTerms,
  median: {
    issues: (rule, budget) =>
      rule.warmupEpochs >= budget.maxEpochsPerTrial
        ? [{ path: ['warmupEpochs'], message: `must be < budget.maxEpochsPerTrial (${budget.maxEpochsPerTrial}), or nothing is ever stopped` }]
        : [],
  },
};

function termsOf(rule: EarlyStoppingSpec): EarlyStoppingTerms<EarlyStoppingSpec> {
  return EARLY_STOPPING_TERMS[rule.type];
}

export function earlyStoppingIssues(rule: EarlyStoppingSpec, budget: EpochBudget): SpecIssue[] {
  return termsOf(rule).issues?.(rule, budget) ?? [];
}

/** The epochs each trial of a sweep may run under its stopping rule. */
export function trialEpochsOf(rule: EarlyStoppingSpec, budget: EpochBudget): number {
  return termsOf(rule).trialEpochs?.(rule, budget) ?? budget.maxEpochsPerTrial;
}
