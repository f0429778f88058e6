import type { Direction } from '@tuneforge/contracts';
import { isPeerNumber, type PeerNumbers, type PeerSummary } from './stopping-rule';
import { keptAtRung } from './successive-halving';

/**
 * The values trials reported at one epoch, by trial number, kept sorted so that a rung decision reads the
 * median and the cutoff by position instead of sorting the peers each time. Setting a trial's value again
 * replaces it (a resumed attempt rewrites its epochs).
 */
export class RungValues {
  /** Ascending. */
  private readonly sorted: number[] = [];
  private readonly byTrial = new Map<number, number>();

  get size(): number {
    return this.sorted.length;
  }

  set(trialNumber: number, value: number): void {
    if (!Number.isFinite(value)) return;
    const old = this.byTrial.get(trialNumber);
    if (old === value) return;
    if (old !== undefined) this.sorted.splice(lowerBound(this.sorted, old), 1);
    this.byTrial.set(trialNumber, value);
    this.sorted.splice(upperBound(this.sorted, value), 0, value);
  }

  /**
   * What `summarizePeers` says of the other trials' values here (trial `own` excluded, and with
   * `peers` other than every trial, only those numbers), for a trial reporting `value`.
   */
  summary(own: number, value: number, peers: PeerNumbers, direction: Direction, reductionFactor: number | undefined): PeerSummary {
    if (peers.modulus !== 1) {
      const values = [...this.byTrial].filter(([n]) => n !== own && isPeerNumber(peers, n)).map(([, v]) => v);
      return summaryOfSorted(
        values.sort((a, b) => a - b),
        -1,
        value,
        direction,
        reductionFactor,
      );
    }
    const stored = this.byTrial.get(own);
    return summaryOfSorted(this.sorted, stored === undefined ? -1 : lowerBound(this.sorted, stored), value, direction, reductionFactor);
  }
}

/** The summary of ascending `sorted` without the element at `skip` (-1: none), read by position. */
function summaryOfSorted(sorted: readonly number[], skip: number, value: number, direction: Direction, eta: number | undefined): PeerSummary {
  const count = sorted.length - (skip >= 0 ? 1 : 0);
  // The k-th (0-based) smallest peer.
  const peer = (k: number) => sorted[skip >= 0 && k >= skip ? k + 1 : k];
  const median = count === 0 ? null : count % 2 ? peer((count - 1) / 2) : (peer(count / 2 - 1) + peer(count / 2)) / 2;
  if (eta === undefined) return { count, median, cutoff: value };
  // The cutoff is the k-th best of the peers and the trial: the rank-th smallest (1-based) of their union.
  const k = keptAtRung(count + 1, eta);
  const rank = direction === 'minimize' ? k : count + 2 - k;
  let atMost = upperBound(sorted, value);
  if (skip >= 0 && skip < atMost) atMost -= 1; // peers <= value
  const cutoff = rank <= atMost ? peer(rank - 1) : rank === atMost + 1 ? value : peer(rank - 2);
  return { count, median, cutoff };
}

/** The first index whose value is >= `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose value is > `value`. */
function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
