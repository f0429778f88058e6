import type { EarlyStoppingOf } from '@tuneforge/contracts';
import { formatValue, isBetter, rungLabel, type StoppingRule } from './stopping-rule';

/**
 * Median stopping (Golovin et al. 2017): a trial stops when its value is worse than the median of the
 * other trials' values at the same epoch, once `minTrials` of them exist and the warm-up is over.
 */
export const medianRule: StoppingRule<EarlyStoppingOf<'median'>> = {
  rungAt: (rule, _maxEpochs, _trialNumber, epoch) => (epoch > rule.warmupEpochs || (rule.warmupEpochs === 0 && epoch >= 1) ? { rung: epoch - 1 } : undefined),
  decide(rule, at, peers) {
    if (peers.count < rule.minTrials || peers.median === null) return { stop: false, reason: `continued at ${rungLabel(at)}: ${peers.count} of ${rule.minTrials} trials needed for a median` };
    const stop = isBetter(at.direction, peers.median, at.value);
    return {
      stop,
      reason: `${stop ? 'stopped' : 'continued'} at ${rungLabel(at)}: ${at.metric} ${formatValue(at.value)} is ${stop ? 'worse' : 'not worse'} than the median ${formatValue(peers.median)} of ${peers.count} trials`,
    };
  },
};
