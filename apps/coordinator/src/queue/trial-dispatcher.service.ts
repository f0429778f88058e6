import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Stores, type TrialRef } from '@tuneforge/persistence';
import { JobName, trialJobOptions, TRIALS_QUEUE, type JobOf } from '@tuneforge/contracts';

export type TrialJobQueue = Queue<JobOf<typeof JobName.TrainTrial>>;

/** addBulk is one MULTI; keep each under a size Redis handles without stalling other clients. */
const JOBS_PER_BULK = 1_000;

/**
 * Puts trials on the queue. The job id is the trial id, so enqueueing the same trial twice (a retry,
 * or the reconcile loop racing a request) never makes a second job.
 */
@Injectable()
export class TrialDispatcher implements OnModuleInit {
  private readonly logger = new Logger(TrialDispatcher.name);

  constructor(
    @InjectQueue(TRIALS_QUEUE) private readonly queue: TrialJobQueue,
    private readonly stores: Stores,
  ) {}

  onModuleInit(): void {
    this.queue.on('error', (error) => this.logger.warn(`queue connection: ${error.message}`));
  }

  async enqueue(trials: readonly TrialRef[]): Promise<void> {
    for (let start = 0; start < trials.length; start += JOBS_PER_BULK) {
      const chunk = trials.slice(start, start + JOBS_PER_BULK);
      await this.queue.addBulk(
        chunk.map((trial) => ({
          name: JobName.TrainTrial,
          data: { sweepId: trial.sweepId, trialId: trial.id },
          opts: trialJobOptions(trial.id),
        })),
      );
      await this.stores.trials.markEnqueued(chunk.map((t) => t.id));
    }
  }

  /** Enqueues queued trials of running sweeps whose job was never added (coordinator stopped, Redis down, sweep paused). */
  async enqueuePending(): Promise<number> {
    let total = 0;
    for (;;) {
      const pending = await this.stores.trials.awaitingJob(JOBS_PER_BULK);
      if (pending.length === 0) return total;
      await this.enqueue(pending);
      total += pending.length;
    }
  }

  /**
   * Removes these trials' jobs that no worker holds: waiting or delayed ones, and the finished ones BullMQ keeps (in
   * bounds). A job a worker holds stays, and the worker sees the trial's status (or that it is gone) at its next check.
   */
  async removeJobs(trialIds: readonly string[]): Promise<number> {
    let removed = 0;
    for (let start = 0; start < trialIds.length; start += JOBS_PER_BULK) {
      const results = await Promise.all(trialIds.slice(start, start + JOBS_PER_BULK).map((id) => this.queue.remove(id)));
      removed += results.reduce((sum: number, r) => sum + r, 0);
    }
    return removed;
  }
}
