import type { EarlyStoppingOf } from '@tuneforge/contracts';
import type { StoppingRule } from './stopping-rule';
import { decideByRank, successiveHalvingRungs } from './successive-halving';

export interface HyperbandBracket {
  /** s in Li et al.: s_max for the most aggressive bracket, 0 for the one that never stops early. */
  index: number;
  /** Epochs of the bracket's first rung. */
  minEpochs: number;
  rungs: number[];
  /** Trials per round of brackets, n_s = ceil((s_max + 1) / (s + 1) * eta^s). */
  trials: number;
}

/** Hyperband's brackets for resources between minEpochs and maxEpochs, most aggressive first. */
export function hyperbandBrackets(minEpochs: number, reductionFactor: number, maxEpochs: number): HyperbandBracket[] {
  const sMax = Math.floor(Math.log(maxEpochs / minEpochs) / Math.log(reductionFactor) + 1e-9);
  const brackets: HyperbandBracket[] = [];
  for (let s = sMax; s >= 0; s--) {
    const first = Math.max(minEpochs, Math.round(maxEpochs / reductionFactor ** s));
    brackets.push({
      index: s,
      minEpochs: first,
      rungs: successiveHalvingRungs(first, reductionFactor, maxEpochs),
      trials: Math.ceil(((sMax + 1) / (s + 1)) * reductionFactor ** s),
    });
  }
  return brackets;
}

/** The bracket of trial `trialNumber`: trials fill the brackets in proportion to their sizes, round after round. */
export function hyperbandBracketOf(trialNumber: number, brackets: readonly HyperbandBracket[]): HyperbandBracket {
  const round = brackets.reduce((sum, b) => sum + b.trials, 0);
  let position = trialNumber % round;
  for (const bracket of brackets) {
    if (position < bracket.trials) return bracket;
    position -= bracket.trials;
  }
  return brackets[brackets.length - 1];
}

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
