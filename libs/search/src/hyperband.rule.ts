import { hyperbandBracketOf, hyperbandBrackets, type EarlyStoppingOf, type HyperbandBracket } from '@tuneforge/contracts';
import type { StoppingRule } from './stopping-rule';
import { decideByRank } from './successive-halving';

// The brackets are the contract's (the dashboard shows them too); the rule decides within them.
export { hyperbandBracketOf, hyperbandBrackets, type HyperbandBracket };

type HyperbandSpec = EarlyStoppingOf<'hyperband'>;

function bracketsOf(rule: HyperbandSpec, maxEpochs: number): HyperbandBracket[] {
  return hyperbandBrackets(rule.minEpochs, rule.reductionFactor, rule.maxEpochs ?? maxEpochs);
}

/** Hyperband (Li et al. 2018) run asynchronously: successive halving within brackets of different first rungs; a trial is ranked only against its bracket. */
export const hyperbandRule: StoppingRule<HyperbandSpec> = {
  rungAt(rule, maxEpochs, trialNumber, epoch) {
    const bracket = hyperbandBracketOf(trialNumber, bracketsOf(rule, maxEpochs));
    const rung = bracket.rungs.indexOf(epoch);
    return rung >= 0 ? { rung, group: bracket.index } : undefined;
  },
  peerNumbers(rule, maxEpochs, group) {
    const brackets = bracketsOf(rule, maxEpochs);
    let from = 0;
    for (const bracket of brackets) {
      if (bracket.index === group) return { modulus: brackets.reduce((sum, b) => sum + b.trials, 0), from, to: from + bracket.trials };
      from += bracket.trials;
    }
    throw new Error(`no Hyperband bracket ${group}`);
  },
  reductionFactor: (rule) => rule.reductionFactor,
  decide: (rule, at, peers) => decideByRank(rule.reductionFactor, at, peers),
};
