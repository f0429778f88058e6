/**
 * How trials and sweeps move forward: their statuses and the transitions allowed between them. The
 * stores in `@tuneforge/persistence` refuse every other write of a status, and their SQL takes its
 * status lists from here (`trialStatusesThatMayBecome`), so TS and SQL share one rule.
 */

export const SWEEP_STATUSES = ['running', 'paused', 'completed', 'cancelled', 'failed'] as const;
export type SweepStatus = (typeof SWEEP_STATUSES)[number];

export const TRIAL_STATUSES = ['queued', 'running', 'completed', 'pruned', 'failed', 'cancelled'] as const;
export type TrialStatus = (typeof TRIAL_STATUSES)[number];

export const ACTIVE_TRIAL_STATUSES = ['queued', 'running'] as const satisfies readonly TrialStatus[];
export type ActiveTrialStatus = (typeof ACTIVE_TRIAL_STATUSES)[number];
export const FINISHED_TRIAL_STATUSES = ['completed', 'pruned', 'failed', 'cancelled'] as const satisfies readonly TrialStatus[];
export type FinishedTrialStatus = (typeof FINISHED_TRIAL_STATUSES)[number];
/** Trials whose best value counts as a result (what TPE learns from, what a Pareto front compares). */
export const SCORED_TRIAL_STATUSES = ['completed', 'pruned'] as const satisfies readonly TrialStatus[];

/** A sweep that may still start trials (`running`) or has them waiting to (`paused`). */
export const ACTIVE_SWEEP_STATUSES = ['running', 'paused'] as const satisfies readonly SweepStatus[];

/**
 * Allowed trial transitions. `running -> running` is a takeover: a new claim supersedes a run whose
 * worker died. `running -> queued` is a hand-back or a requeue after the job was lost. A finished
 * trial never changes again.
 */
export const TRIAL_TRANSITIONS: { readonly [from in TrialStatus]: readonly TrialStatus[] } = {
  queued: ['running', ...FINISHED_TRIAL_STATUSES],
  running: ['running', 'queued', ...FINISHED_TRIAL_STATUSES],
  completed: [],
  pruned: [],
  failed: [],
  cancelled: [],
};

/** Allowed sweep transitions. A completed sweep given more trials (a larger budget) runs again. */
export const SWEEP_TRANSITIONS: { readonly [from in SweepStatus]: readonly SweepStatus[] } = {
  running: ['paused', 'completed', 'cancelled', 'failed'],
  paused: ['running', 'cancelled'],
  completed: ['running'],
  cancelled: [],
  failed: [],
};

export function isActiveTrial(status: TrialStatus): status is ActiveTrialStatus {
  return (ACTIVE_TRIAL_STATUSES as readonly TrialStatus[]).includes(status);
}

export function isFinishedTrial(status: TrialStatus): status is FinishedTrialStatus {
  return (FINISHED_TRIAL_STATUSES as readonly TrialStatus[]).includes(status);
}

export function isScoredTrial(status: TrialStatus): boolean {
  return (SCORED_TRIAL_STATUSES as readonly TrialStatus[]).includes(status);
}

export function isActiveSweep(status: SweepStatus): boolean {
  return (ACTIVE_SWEEP_STATUSES as readonly SweepStatus[]).includes(status);
}

export function canTrialBecome(from: TrialStatus, to: TrialStatus): boolean {
  return TRIAL_TRANSITIONS[from].includes(to);
}

export function canSweepBecome(from: SweepStatus, to: SweepStatus): boolean {
  return SWEEP_TRANSITIONS[from].includes(to);
}

/** The statuses a trial may be in for a write that moves it to `to` (the stores' WHERE clause). */
export function trialStatusesThatMayBecome(to: TrialStatus): TrialStatus[] {
  return TRIAL_STATUSES.filter((from) => canTrialBecome(from, to));
}

/** The statuses a sweep may be in for a write that moves it to `to`. */
export function sweepStatusesThatMayBecome(to: SweepStatus): SweepStatus[] {
  return SWEEP_STATUSES.filter((from) => canSweepBecome(from, to));
}

export type Direction = 'minimize' | 'maximize';

/** SQL sort order that puts the best value first for an objective's direction. */
export function bestFirst(direction: Direction): 'ASC' | 'DESC' {
  return direction === 'maximize' ? 'DESC' : 'ASC';
}

/** What decides a running sweep's next step: its budget, its trials so far, and how many are active. */
export interface SweepOccupancy {
  maxConcurrent: number;
  plannedTrials: number;
  trialsCreated: number;
  activeTrials: number;
}

/**
 * How many trials a running sweep may add now (up to `maxConcurrent` active, up to `plannedTrials` in
 * all), and whether it is done: every planned trial was created and has ended.
 */
export function sweepRoom({ maxConcurrent, plannedTrials, trialsCreated, activeTrials }: SweepOccupancy): { room: number; done: boolean } {
  return { room: Math.min(maxConcurrent - activeTrials, plannedTrials - trialsCreated), done: activeTrials === 0 && trialsCreated >= plannedTrials };
}

/** How a sweep's trials ended, read when the last of them has. */
export interface SweepOutcomeCounts {
  /** Trials that ended completed or pruned (with a result). */
  scored: number;
  failed: number;
  /** The failure of the lowest-numbered failed trial, for the reason. */
  firstFailure: { number: number; reason: string | null } | null;
}

export type SweepEnd = { status: 'completed'; reason: null } | { status: 'failed'; reason: string };

/**
 * How a sweep whose planned trials have all ended ends: `completed` when any trial has a result, else `failed`
 * with the reason (what its first failed trial said).
 */
export function sweepEndOf({ scored, failed, firstFailure }: SweepOutcomeCounts): SweepEnd {
  if (scored > 0) return { status: 'completed', reason: null };
  const why = firstFailure ? `trial ${firstFailure.number}: ${firstFailure.reason ?? 'no reason recorded'}` : 'no trial has a result';
  return { status: 'failed', reason: failed === 1 ? `its only trial failed (${why})` : `all ${failed} trials failed; the first, ${why}` };
}
