import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobName, JobOf, TrialJobResult } from '@tuneforge/contracts';
import { withLogContext } from '@tuneforge/logging';
import { TrialRunner } from './trial-runner.service';

/**
 * The BullMQ processor of the trial queue. Its @Processor options (concurrency, lock and stalled
 * timings) come from the worker's configuration, so WorkerModule applies the decorator at start-up.
 */
@Injectable()
export class TrialProcessor extends WorkerHost {
  private readonly logger = new Logger(TrialProcessor.name);
  private lastError = '';

  constructor(private readonly runner: TrialRunner) {
    super();
  }

  /**
   * The result (TrialJobResultSchema, which the coordinator parses) names the sweep, so the coordinator tops it up without looking the trial up.
   * Every line logged while the job runs carries its sweep and trial ids.
   */
  process(job: Job<JobOf<typeof JobName.TrainTrial>>, token?: string): Promise<TrialJobResult> {
    const { sweepId, trialId } = job.data;
    return withLogContext({ sweepId, trialId }, async () => {
      this.logger.debug(`job ${job.id}: trial ${trialId} (delivery ${job.attemptsMade + 1}, stalled ${job.stalledCounter})`);
      return { outcome: await this.runner.run(job, token), sweepId };
    });
  }

  /** Lost locks and Redis errors (say, a job whose key Redis lost): the trial's truth is in PostgreSQL, so they are only logged. */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    if (error.message !== this.lastError) this.logger.warn(`queue: ${error.message}`); // reconnect attempts repeat theirs
    this.lastError = error.message;
  }
}
