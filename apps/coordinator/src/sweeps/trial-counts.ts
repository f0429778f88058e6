import { TRIAL_STATUSES, type TrialCounts } from '@tuneforge/contracts';
import type { Stores } from '@tuneforge/persistence';

/** A sweep's counts of its trials numbered below `below`, all finished for good. */
interface Settled {
  below: number;
  counts: TrialCounts;
}

const NOTHING_SETTLED: Settled = { below: 0, counts: emptyCounts() };
/** Sweeps whose settled counts are kept (the oldest entry goes first); a sweep read again after that is counted afresh once. */
const SWEEPS_KEPT = 10_000;

/**
 * Trial counts by status without counting every trial of a big sweep at each read. The trials below a sweep's
 * active frontier (its lowest-numbered queued or running trial) have all finished, and a finished trial never
 * changes, so their counts are kept here: a read counts the trials from the frontier on, plus, once, those that
 * finished below it since the last read. A replica keeps its own; nothing here is more than PostgreSQL says.
 */
export class TrialCountCache {
  private readonly settled = new Map<string, Settled>();

  constructor(private readonly stores: Stores) {}

  async countsOf(sweepIds: readonly string[]): Promise<Map<string, TrialCounts>> {
    if (sweepIds.length === 0) return new Map();
    const frontiers = await this.stores.sweepReads.activeFrontiers(sweepIds);
    const plans = sweepIds.map((sweepId) => {
      const frontier = frontiers.get(sweepId) ?? 0;
      const known = this.settled.get(sweepId) ?? NOTHING_SETTLED;
      // A frontier below what was settled cannot happen (trials never become active again); count afresh if it does.
      return { sweepId, frontier, known: known.below <= frontier ? known : NOTHING_SETTLED, cached: known };
    });
    const ranges = plans.flatMap(({ sweepId, frontier, known }) => [
      { sweepId, from: known.below, to: frontier },
      { sweepId, from: frontier },
    ]);
    const rows = await this.stores.sweepReads.trialCountsIn(ranges);
    const result = new Map<string, TrialCounts>();
    plans.forEach(({ sweepId, frontier, known, cached }, i) => {
      const settled = { ...known.counts };
      const live = emptyCounts();
      for (const row of rows) {
        if (row.range === 2 * i) add(settled, row.status, row.n);
        if (row.range === 2 * i + 1) add(live, row.status, row.n);
      }
      const counts = emptyCounts();
      for (const status of TRIAL_STATUSES) add(counts, status, settled[status] + live[status]);
      result.set(sweepId, counts);
      // Unless another read settled more meanwhile.
      if (this.settled.get(sweepId) === (cached === NOTHING_SETTLED ? undefined : cached)) this.keep(sweepId, { below: frontier, counts: settled });
    });
    return result;
  }

  private keep(sweepId: string, settled: Settled): void {
    this.settled.delete(sweepId);
    this.settled.set(sweepId, settled);
    if (this.settled.size > SWEEPS_KEPT) this.settled.delete(this.settled.keys().next().value as string);
  }
}

function add(counts: TrialCounts, status: (typeof TRIAL_STATUSES)[number], n: number): void {
  counts[status] += n;
  counts.total += n;
}

export function emptyCounts(): TrialCounts {
  return Object.fromEntries([['total', 0], ...TRIAL_STATUSES.map((s) => [s, 0])]) as unknown as TrialCounts;
}
