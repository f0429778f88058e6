/** Rung epochs of successive halving: minEpochs x eta^k, below maxEpochs (a trial that reaches maxEpochs just ends). */
export function successiveHalvingRungs(minEpochs: number, reductionFactor: number, maxEpochs: number): number[] {
  const rungs: number[] = [];
  for (let epoch = minEpochs; epoch < maxEpochs; epoch *= reductionFactor) rungs.push(epoch);
  return rungs;
}

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

