import { ACTIVE_TRIAL_STATUSES, SWEEP_STATUSES, TRIAL_STATUSES, type SweepStatus, type TrialStatus } from '@tuneforge/contracts';
import { countSweepsAndTrials, type Stores } from '@tuneforge/persistence';

export interface StatusTotals {
  sweeps: Record<SweepStatus, number>;
  trials: Record<TrialStatus, number>;
}

type TrialCounts = Partial<Record<TrialStatus, number>>;

/**
 * Sweeps and trials by status over the whole deployment. It keeps the trial counts of sweeps that have no
 * active trial (they cannot change while their trials_created stays), so each read counts only the trials of
 * sweeps still at work: a scrape costs the live sweeps, not the 100,000 trials of finished ones.
 */
export class StatusTotalsReader {
  private settled = new Map<string, { trialsCreated: number; trials: TrialCounts }>();

  async read(stores: Stores): Promise<StatusTotals> {
    const rows = await countSweepsAndTrials(stores.manager, [...this.settled].map(([sweepId, { trialsCreated }]) => ({ sweepId, trialsCreated })));
    const totals: StatusTotals = { sweeps: zeroes(SWEEP_STATUSES), trials: zeroes(TRIAL_STATUSES) };
    const settled = new Map<string, { trialsCreated: number; trials: TrialCounts }>();
    for (const row of rows) {
      totals.sweeps[row.status] += 1;
      const trials = row.trials ?? this.settled.get(row.sweepId)?.trials ?? {};
      for (const status of TRIAL_STATUSES) totals.trials[status] += trials[status] ?? 0;
      if (ACTIVE_TRIAL_STATUSES.every((status) => !trials[status])) settled.set(row.sweepId, { trialsCreated: row.trialsCreated, trials });
    }
    this.settled = settled; // deleted sweeps drop out
    return totals;
  }
}

function zeroes<S extends string>(statuses: readonly S[]): Record<S, number> {
  return Object.fromEntries(statuses.map((status) => [status, 0])) as Record<S, number>;
}
