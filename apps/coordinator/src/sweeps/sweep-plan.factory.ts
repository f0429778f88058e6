import { searchDimensionsOf, type SweepSpec } from '@tuneforge/contracts';
import { SweepPlan } from '@tuneforge/search';

/** The plan that decides a sweep's trials; rebuilt from the stored spec and seed whenever needed. */
export function planOf(spec: SweepSpec, seed: number): SweepPlan {
  return new SweepPlan(spec.algorithm, searchDimensionsOf(spec), seed, spec.budget.maxTrials);
}
