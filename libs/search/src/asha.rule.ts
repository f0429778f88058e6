import type { EarlyStoppingOf } from '@tuneforge/contracts';
import type { StoppingRule } from './stopping-rule';
import { decideByRank, successiveHalvingRungs } from './successive-halving';

/** Asynchronous successive halving (Li et al. 2020): every trial meets the same rungs and is ranked against all others there. */
export const ashaRule: StoppingRule<EarlyStoppingOf<'asha'>> = {
  rungAt(rule, maxEpochs, _trialNumber, epoch) {
    const rung = successiveHalvingRungs(rule.minEpochs, rule.reductionFactor, rule.maxEpochs ?? maxEpochs).indexOf(epoch);
    return rung >= 0 ? { rung } : undefined;
  },
  reductionFactor: (rule) => rule.reductionFactor,
  decide: (rule, at, peers) => decideByRank(rule.reductionFactor, at, peers),
};
