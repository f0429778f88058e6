import { z } from 'zod';

/** Queue and job names, the payload and result of each job, and the options every trial job is added with. */
export const TRIALS_QUEUE = 'trials';
/** Webhook deliveries: the coordinator posts them (every replica processes this queue). */
export const WEBHOOKS_QUEUE = 'webhooks';

export const JobName = {
  TrainTrial: 'train-trial',
  DeliverWebhook: 'deliver-webhook',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export interface JobPayloads {
  [JobName.TrainTrial]: { sweepId: string; trialId: string };
  [JobName.DeliverWebhook]: { notificationId: string };
}
export type JobOf<N extends JobName> = JobPayloads[N];

const TRIAL_JOB_ATTEMPTS = 3;
const TRIAL_JOB_BACKOFF = { type: 'exponential', delay: 5_000, jitter: 0.5 } as const;
const TRIAL_JOB_RETENTION = { removeOnComplete: { count: 10_000 }, removeOnFail: { count: 50_000 } } as const;

/**
 * The options of a trial's job, wherever it is added: the job id is the trial id (so adding it twice
 * adds it once), retries back off exponentially with jitter, and finished jobs are kept in bounds.
 */
export function trialJobOptions(trialId: string) {
  return { jobId: trialId, attempts: TRIAL_JOB_ATTEMPTS, backoff: { ...TRIAL_JOB_BACKOFF }, ...TRIAL_JOB_RETENTION };
}

/** How a run of a trial's job ended, as the worker's processor reports it. */
export const TRIAL_OUTCOMES = ['completed', 'pruned', 'failed', 'cancelled', 'skipped', 'superseded'] as const;
export type TrialOutcome = (typeof TRIAL_OUTCOMES)[number];

/** What a train-trial job returns; it names the sweep, so the coordinator tops it up without looking the trial up. */
export const TrialJobResultSchema = z.object({ outcome: z.enum(TRIAL_OUTCOMES), sweepId: z.string() });
export type TrialJobResult = z.infer<typeof TrialJobResultSchema>;

/**
 * Claims a trial may take (first run, resumes after a lost worker, hand-backs) before the reconciler
 * ends it `failed` instead of queueing it again.
 */
export const TRIAL_MAX_ATTEMPTS = 5;

const WEBHOOK_JOB_RETENTION = { removeOnComplete: { count: 1_000 }, removeOnFail: { count: 5_000 } } as const;

/**
 * The options of a webhook delivery's job: the job id is the notification's id (one notification per webhook, event and
 * subject), so replicas that add it at the same time add it once; failed attempts are retried `attempts` times in all,
 * after `firstRetryMs`, then twice as long each time (with jitter).
 */
export function webhookJobOptions(notificationId: string, { attempts, firstRetryMs }: { attempts: number; firstRetryMs: number }) {
  return { jobId: notificationId, attempts, backoff: { type: 'exponential', delay: firstRetryMs, jitter: 0.2 } as const, ...WEBHOOK_JOB_RETENTION };
}
