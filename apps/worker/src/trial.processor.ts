import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobName, JobOf } from '@tuneforge/contracts';
import { TrialRunner, type TrialOutcome } from './trial-runner.service';

/**
 * The BullMQ processor of the trial queue. Its @Processor options (concurrency, lock and stalled
 * timings) come from the worker's configuration, so WorkerModule applies the decorator at start-up.
 */
@Injectable()
export class TrialProcessor extends WorkerHost {
  private readonly logger = new Logger(TrialProcessor.name);

  constructor(private readonly runner: TrialRunner) {
    super();
  }

  async process(job: Job<JobOf<typeof JobName.TrainTrial>>, token?: string): Promise<TrialOutcome> {
    this.logger.log(`job ${job.id}: trial ${job.data.trialId} (delivery ${job.attemptsMade + 1}, stalled ${job.stalledCounter})`);
    return this.runner.run(job, token);
  }
}
