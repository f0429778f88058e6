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

/**
 * Which trial numbers are a trial's peers at a rung: those with `number % modulus` in [from, to).
 * Hyperband brackets are such ranges (trials fill them round after round); without groups it is every trial.
 */
export interface PeerNumbers {
  modulus: number;
  from: number;
  to: number;
}

export function peerNumbersOf(rule: StoppingRule, maxEpochs: number, group: number | undefined): PeerNumbers {
  if (rule.type !== 'hyperband' || group === undefined) return { modulus: 1, from: 0, to: 1 };
  const brackets = hyperbandBrackets(rule.minEpochs, rule.reductionFactor, rule.maxEpochs ?? maxEpochs);
  let from = 0;
  for (const bracket of brackets) {
    if (bracket.index === group) return { modulus: brackets.reduce((sum, b) => sum + b.trials, 0), from, to: from + bracket.trials };
    from += bracket.trials;
  }
  throw new Error(`no Hyperband bracket ${group}`);
}

export function isPeerNumber(peers: PeerNumbers, trialNumber: number): boolean {
  const position = trialNumber % peers.modulus;
  return position >= peers.from && position < peers.to;
}

export interface StopDecision {
  stop: boolean;
  reason: string;
}

/**
 * All a rung decision needs to know about the other trials' values at the epoch. The worker has
 * PostgreSQL compute it (one row back, however many trials ran); `summarizePeers` is the same in code.
 */
export interface PeerSummary {
  count: number;
  /** Of the peers' values; null without peers. */
  median: number | null;
  /** The value ranked `keptAtRung(count + 1, eta)` best among the peers and the trial itself (ASHA, Hyperband). */
  cutoff: number;
}

/** How many of n trials at a rung go on: the best max(1, floor(n / eta)). */
export function keptAtRung(trialsAtRung: number, reductionFactor: number): number {
  return Math.max(1, Math.floor(trialsAtRung / reductionFactor));
}

/** The reduction factor a rule ranks trials by, or undefined when it compares with the median. */
export function reductionFactorOf(rule: StoppingRule): number | undefined {
  return rule.type === 'asha' || rule.type === 'hyperband' ? rule.reductionFactor : undefined;
}

export function summarizePeers(rule: StoppingRule, peers: readonly number[], value: number, direction: Direction): PeerSummary {
  const eta = reductionFactorOf(rule);
  let cutoff = value;
  if (eta !== undefined) {
    const all = [...peers, value].sort((a, b) => (direction === 'minimize' ? a - b : b - a));
    cutoff = all[keptAtRung(all.length, eta) - 1];
  }
  return { count: peers.length, median: peers.length > 0 ? medianOf(peers) : null, cutoff };
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
  return decideFromSummary(rule, check, epoch, metric, value, summarizePeers(rule, peers, value, direction), direction);
}

export function decideFromSummary(rule: StoppingRule, check: RungCheck, epoch: number, metric: string, value: number, peers: PeerSummary, direction: Direction): StopDecision {
  const better = (a: number, b: number) => (direction === 'minimize' ? a < b : a > b);
  const at = `rung ${check.rung} (epoch ${epoch})`;
  const eta = reductionFactorOf(rule);
  if (eta !== undefined) {
    const keep = keptAtRung(peers.count + 1, eta);
    const stop = better(peers.cutoff, value);
    return {
      stop,
      reason: `${stop ? 'stopped' : 'promoted'} at ${at}: ${metric} ${fmt(value)} ${stop ? 'is outside' : 'is within'} the best ${keep} of ${peers.count + 1} (cutoff ${fmt(peers.cutoff)})`,
    };
  }
  if (rule.type === 'median') {
    if (peers.count < rule.minTrials || peers.median === null) return { stop: false, reason: `continued at ${at}: ${peers.count} of ${rule.minTrials} trials needed for a median` };
    const stop = better(peers.median, value);
    return { stop, reason: `${stop ? 'stopped' : 'continued'} at ${at}: ${metric} ${fmt(value)} is ${stop ? 'worse' : 'not worse'} than the median ${fmt(peers.median)} of ${peers.count} trials` };
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
