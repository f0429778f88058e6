/**
 * Early-stopping rules decided at rungs, as pure functions of results (read from PostgreSQL by the
 * caller): the same inputs give the same decision whichever worker asks.
 */
export type Direction = 'minimize' | 'maximize';

export type StoppingRule =
  | { type: 'none' }
  | { type: 'asha'; minEpochs: number; reductionFactor: number; maxEpochs?: number }
  | { type: 'hyperband'; minEpochs: number; reductionFactor: number; maxEpochs?: number }
  | { type: 'median'; warmupEpochs: number; minTrials: number };

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

export interface RungCheck {
  /** Which rung (0-based) this epoch is, for the record. */
  rung: number;
  /** Peers are the trials with the same group (Hyperband: the bracket); undefined: every trial of the sweep. */
  group?: number;
}

/** Whether the rule decides after `epoch` for trial `trialNumber`, and how. */
export function rungAt(rule: StoppingRule, maxEpochs: number, trialNumber: number, epoch: number): RungCheck | undefined {
  if (epoch >= maxEpochs) return undefined;
  switch (rule.type) {
    case 'none':
      return undefined;
    case 'median':
      return epoch > rule.warmupEpochs || (rule.warmupEpochs === 0 && epoch >= 1) ? { rung: epoch - 1 } : undefined;
    case 'asha': {
      const rung = successiveHalvingRungs(rule.minEpochs, rule.reductionFactor, rule.maxEpochs ?? maxEpochs).indexOf(epoch);
      return rung >= 0 ? { rung } : undefined;
    }
    case 'hyperband': {
      const bracket = hyperbandBracketOf(trialNumber, hyperbandBrackets(rule.minEpochs, rule.reductionFactor, rule.maxEpochs ?? maxEpochs));
      const rung = bracket.rungs.indexOf(epoch);
      return rung >= 0 ? { rung, group: bracket.index } : undefined;
    }
  }
}

/** The Hyperband bracket of each trial number, so a caller can keep only a trial's bracket-mates. */
export function peerGroupOf(rule: StoppingRule, maxEpochs: number, trialNumber: number): number | undefined {
  if (rule.type !== 'hyperband') return undefined;
  return hyperbandBracketOf(trialNumber, hyperbandBrackets(rule.minEpochs, rule.reductionFactor, rule.maxEpochs ?? maxEpochs)).index;
}

export interface StopDecision {
  stop: boolean;
  reason: string;
}

/**
 * ASHA / Hyperband: at a rung, a trial goes on only if it is among the best max(1, floor(n / eta)) of
 * the n trials (itself included) that reached the rung. Median: it stops when its value is worse than
 * the median of the other trials' values at the same epoch, once `minTrials` of them exist.
 */
export function decideAtRung(
  rule: StoppingRule,
  check: RungCheck,
  epoch: number,
  metric: string,
  value: number,
  peers: readonly number[],
  direction: Direction,
): StopDecision {
  const better = (a: number, b: number) => (direction === 'minimize' ? a < b : a > b);
  const at = `rung ${check.rung} (epoch ${epoch})`;
  if (rule.type === 'asha' || rule.type === 'hyperband') {
    const all = [...peers, value].sort((a, b) => (direction === 'minimize' ? a - b : b - a));
    const keep = Math.max(1, Math.floor(all.length / rule.reductionFactor));
    const cutoff = all[keep - 1];
    const stop = better(cutoff, value);
    return {
      stop,
      reason: `${stop ? 'stopped' : 'promoted'} at ${at}: ${metric} ${fmt(value)} ${stop ? 'is outside' : 'is within'} the best ${keep} of ${all.length} (cutoff ${fmt(cutoff)})`,
    };
  }
  if (rule.type === 'median') {
    if (peers.length < rule.minTrials) return { stop: false, reason: `continued at ${at}: ${peers.length} of ${rule.minTrials} trials needed for a median` };
    const median = medianOf(peers);
    const stop = better(median, value);
    return { stop, reason: `${stop ? 'stopped' : 'continued'} at ${at}: ${metric} ${fmt(value)} is ${stop ? 'worse' : 'not worse'} than the median ${fmt(median)} of ${peers.length} trials` };
  }
  return { stop: false, reason: 'no early stopping' };
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function fmt(value: number): string {
  return Number(value.toPrecision(5)).toString();
}
