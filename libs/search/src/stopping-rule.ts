import type { Direction, EarlyStoppingSpec } from '@tuneforge/contracts';

export interface RungCheck {
  /** Which rung (0-based) this epoch is, for the record. */
  rung: number;
  /** Peers are the trials with the same group (Hyperband: the bracket); undefined: every trial of the sweep. */
  group?: number;
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

export const EVERY_TRIAL: PeerNumbers = { modulus: 1, from: 0, to: 1 };

export function isPeerNumber(peers: PeerNumbers, trialNumber: number): boolean {
  const position = trialNumber % peers.modulus;
  return position >= peers.from && position < peers.to;
}

/**
 * All a rung decision needs to know about the other trials' values at the epoch. A worker reads it by
 * position from its sorted `RungValues`; `summarizePeers` is the same from a plain list.
 */
export interface PeerSummary {
  count: number;
  /** Of the peers' values; null without peers. */
  median: number | null;
  /** The value ranked `keptAtRung(count + 1, eta)` best among the peers and the trial itself (rules that rank by a reduction factor). */
  cutoff: number;
}

export interface StopDecision {
  stop: boolean;
  reason: string;
}

/** What a rule is told about the value it decides on. */
export interface RungValue {
  check: RungCheck;
  epoch: number;
  metric: string;
  value: number;
  direction: Direction;
}

/**
 * One early-stopping rule, the behaviour of one `earlyStopping.type`: pure functions of the rule's
 * spec and of results read by the caller, so the same inputs give the same decision whichever worker asks.
 * A new rule is a file implementing this, its schema and EARLY_STOPPING_TERMS entry in contracts, and its line in STOPPING_RULES.
 */
export interface StoppingRule<S extends EarlyStoppingSpec = EarlyStoppingSpec> {
  /** Whether the rule decides after `epoch` (always below maxEpochs) for trial `trialNumber`, and how. */
  rungAt(rule: S, maxEpochs: number, trialNumber: number, epoch: number): RungCheck | undefined;
  /** The trial numbers of a check's group; a rule without groups compares with every trial. */
  peerNumbers?(rule: S, maxEpochs: number, group: number): PeerNumbers;
  /** The eta whose cutoff the peer summary must carry; a rule without one gets no cutoff (it reads the value). */
  reductionFactor?(rule: S): number | undefined;
  decide(rule: S, at: RungValue, peers: PeerSummary): StopDecision;
}

export function isBetter(direction: Direction, a: number, b: number): boolean {
  return direction === 'minimize' ? a < b : a > b;
}

export function rungLabel({ check, epoch }: RungValue): string {
  return `rung ${check.rung} (epoch ${epoch})`;
}

export function formatValue(value: number): string {
  return Number(value.toPrecision(5)).toString();
}

export function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
