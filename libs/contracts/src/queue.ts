/** Queue and job names, and the payload of each job: ids only, the worker loads the rest. */
export const TRIALS_QUEUE = 'trials';

export const JobName = {
  TrainTrial: 'train-trial',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export interface JobPayloads {
  [JobName.TrainTrial]: { sweepId: string; trialId: string };
}
export type JobOf<N extends JobName> = JobPayloads[N];

export const TRIAL_JOB_ATTEMPTS = 3;
export const TRIAL_JOB_BACKOFF = { type: 'exponential', delay: 5_000, jitter: 0.5 } as const;
export const TRIAL_JOB_RETENTION = { removeOnComplete: { count: 10_000 }, removeOnFail: { count: 50_000 } } as const;

/**
 * Claims a trial may take (first run, resumes after a lost worker, hand-backs) before the reconciler
 * ends it `failed` instead of queueing it again.
 */
export const TRIAL_MAX_ATTEMPTS = 5;
