import { formatValue, isBetter, rungLabel, type PeerSummary, type RungValue, type StopDecision } from './stopping-rule';

// The rungs are the contract's (the dashboard shows Hyperband's brackets with them).
export { successiveHalvingRungs } from '@tuneforge/contracts';

/** How many of n trials at a rung go on: the best max(1, floor(n / eta)). */
export function keptAtRung(trialsAtRung: number, reductionFactor: number): number {
  return Math.max(1, Math.floor(trialsAtRung / reductionFactor));
}

/**
 * ASHA and Hyperband: at a rung, a trial goes on only if it is among the best max(1, floor(n / eta)) of
 * the n trials (itself included) that reached the rung.
 */
export function decideByRank(reductionFactor: number, at: RungValue, peers: PeerSummary): StopDecision {
  const keep = keptAtRung(peers.count + 1, reductionFactor);
  const stop = isBetter(at.direction, peers.cutoff, at.value);
  return {
    stop,
    reason: `${stop ? 'stopped' : 'promoted'} at ${rungLabel(at)}: ${at.metric} ${formatValue(at.value)} ${stop ? 'is outside' : 'is within'} the best ${keep} of ${peers.count + 1} (cutoff ${formatValue(peers.cutoff)})`,
  };
}
