import type { Direction, EarlyStoppingOf, EarlyStoppingSpec, EarlyStoppingType } from '@tuneforge/contracts';
import { ashaRule } from './asha.rule';
import { hyperbandRule } from './hyperband.rule';
import { medianRule } from './median.rule';
import { noStoppingRule } from './no-stopping.rule';
import { registered } from './registry';
import { EVERY_TRIAL, medianOf, type PeerNumbers, type PeerSummary, type RungCheck, type StopDecision, type StoppingRule } from './stopping-rule';
import { keptAtRung } from './successive-halving';

/** The rule of each `earlyStopping.type` of the sweep spec. */
export const STOPPING_RULES: { readonly [T in EarlyStoppingType]: StoppingRule<EarlyStoppingOf<T>> } = {
  none: noStoppingRule,
  asha: ashaRule,
  hyperband: hyperbandRule,
  median: medianRule,
};

export function stoppingRuleOf(rule: EarlyStoppingSpec): StoppingRule {
  return registered<Record<string, StoppingRule>>(STOPPING_RULES, 'early-stopping rule', rule.type);
}

/** Whether the rule decides after `epoch` for trial `trialNumber`, and how; never at a trial's last epoch. */
export function rungAt(rule: EarlyStoppingSpec, maxEpochs: number, trialNumber: number, epoch: number): RungCheck | undefined {
  return epoch < maxEpochs ? stoppingRuleOf(rule).rungAt(rule, maxEpochs, trialNumber, epoch) : undefined;
}

export function peerNumbersOf(rule: EarlyStoppingSpec, maxEpochs: number, group: number | undefined): PeerNumbers {
  const strategy = stoppingRuleOf(rule);
  return group === undefined || !strategy.peerNumbers ? EVERY_TRIAL : strategy.peerNumbers(rule, maxEpochs, group);
}

/** The reduction factor a rule ranks trials by, or undefined when it needs no cutoff. */
export function reductionFactorOf(rule: EarlyStoppingSpec): number | undefined {
  return stoppingRuleOf(rule).reductionFactor?.(rule);
}

export function summarizePeers(rule: EarlyStoppingSpec, peers: readonly number[], value: number, direction: Direction): PeerSummary {
  const eta = reductionFactorOf(rule);
  let cutoff = value;
  if (eta !== undefined) {
    const all = [...peers, value].sort((a, b) => (direction === 'minimize' ? a - b : b - a));
    cutoff = all[keptAtRung(all.length, eta) - 1];
  }
  return { count: peers.length, median: peers.length > 0 ? medianOf(peers) : null, cutoff };
}

/** The rule's decision on `value` given the other trials' values at the epoch. */
export function decideAtRung(
  rule: EarlyStoppingSpec,
  check: RungCheck,
  epoch: number,
  metric: string,
  value: number,
  peers: readonly number[],
  direction: Direction,
): StopDecision {
  return decideFromSummary(rule, check, epoch, metric, value, summarizePeers(rule, peers, value, direction), direction);
}

export function decideFromSummary(rule: EarlyStoppingSpec, check: RungCheck, epoch: number, metric: string, value: number, peers: PeerSummary, direction: Direction): StopDecision {
  return stoppingRuleOf(rule).decide(rule, { check, epoch, metric, value, direction }, peers);
}
