import { InjectQueue, OnQueueEvent, QueueEventsHost, QueueEventsListener } from '@nestjs/bullmq';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { TRIALS_QUEUE, TrialJobResultSchema } from '@tuneforge/contracts';
import { withLogContext } from '@tuneforge/logging';
import { retryWhileDatabaseUnavailable, Stores } from '@tuneforge/persistence';
import { CheckpointRetention } from '../sweeps/checkpoint-retention.service';
import { SweepScheduler } from '../sweeps/sweep-scheduler.service';
import { crashLoopReason, STALLED_TOO_OFTEN } from './crash-loop';
import type { TrialJobQueue } from './trial-dispatcher.service';

/**
 * When a trial's job ends, the sweep gets its next trial (SweepScheduler.topUp, exact under a row
 * lock) and a checkpoint retention pass (CheckpointRetention.request, coalesced per sweep). A job
 * that failed for good leaves its trial `failed` with the job's reason (a crash loop says how often
 * its worker died): that write waits out a PostgreSQL outage, and the top-up after it records the
 * trial's `trial.failed` notification. Events missed while the coordinator was down are caught up by the
 * scheduler's reconcile loop (and a lost failure by TrialReconciler).
 */
@QueueEventsListener(TRIALS_QUEUE)
export class TrialEventsListener extends QueueEventsHost implements OnModuleDestroy {
  private readonly logger = new Logger(TrialEventsListener.name);
  private readonly closing = new AbortController();

  constructor(
    private readonly stores: Stores,
    private readonly scheduler: SweepScheduler,
    private readonly retention: CheckpointRetention,
    @InjectQueue(TRIALS_QUEUE) private readonly queue: TrialJobQueue,
  ) {
    super();
  }

  @OnQueueEvent('completed')
  onCompleted({ jobId, returnvalue }: { jobId: string; returnvalue?: unknown }): Promise<void> {
    const sweepId = sweepIdOf(returnvalue);
    return withLogContext({ sweepId, trialId: jobId }, () => this.topUpSweepOf(jobId, sweepId));
  }

  onModuleDestroy(): void {
    this.closing.abort();
  }

  /** Its Redis connection failing (it reconnects by itself): a warning, like the queue's, not an unhandled error event printed raw. */
  @OnQueueEvent('error')
  onConnectionError(error: Error): void {
    this.logger.warn(`queue events connection: ${error.message}`);
  }

  @OnQueueEvent('failed')
  onFailed(event: { jobId: string; failedReason: string }): Promise<void> {
    return withLogContext({ trialId: event.jobId }, () => this.recordFailure(event));
  }

  private async recordFailure({ jobId, failedReason }: { jobId: string; failedReason: string }): Promise<void> {
    try {
      if ((await this.queue.getJobState(jobId)) !== 'failed') return; // it will be retried
      const reason = (await this.reasonOf(jobId, failedReason)).slice(0, 2_000);
      await retryWhileDatabaseUnavailable(
        () => this.stores.trials.failAfterJob(jobId, reason),
        {
          signal: this.closing.signal,
          onRetry: (error, attempt) => attempt === 1 && this.logger.warn(`PostgreSQL is unreachable; retrying the failure of job ${jobId} until it answers (${(error as Error).message})`),
        },
      );
    } catch (error) {
      this.logger.warn(`could not record the failure of job ${jobId}: ${(error as Error).message}`);
    }
    await this.topUpSweepOf(jobId);
  }

  /** The trial's reason: a job that stalled too often had its worker die under it that many times. */
  private async reasonOf(jobId: string, failedReason: string): Promise<string> {
    if (failedReason !== STALLED_TOO_OFTEN) return `job failed: ${failedReason}`;
    const deaths = (await this.queue.getJob(jobId))?.stalledCounter;
    if (!deaths) return `job failed: ${failedReason}`; // the job (and its count) is gone already
    return crashLoopReason(deaths, 'its job stalled more often than the queue allows: each time, its worker stopped renewing the lock');
  }

  /** Tops up the trial's sweep and asks for its retention pass; looks the sweep up only when the job's result did not name it. */
  private async topUpSweepOf(trialId: string, knownSweepId?: string): Promise<void> {
    try {
      const sweepId = knownSweepId ?? (await this.stores.trials.sweepIdOf(trialId));
      if (!sweepId) return;
      this.retention.request(sweepId);
      await this.scheduler.requestTopUp(sweepId);
    } catch (error) {
      this.logger.warn(`top-up after job ${trialId} failed; the reconcile loop will retry: ${(error as Error).message}`);
    }
  }
}

/** Workers return `{ outcome, sweepId }`; the event carries it as JSON text or as an object. */
function sweepIdOf(returnvalue: unknown): string | undefined {
  try {
    const result = TrialJobResultSchema.safeParse(typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue);
    return result.success ? result.data.sweepId : undefined;
  } catch {
    return undefined;
  }
}
