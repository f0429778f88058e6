import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { TRIAL_MAX_ATTEMPTS, TRIALS_QUEUE } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { crashLoopReason } from './crash-loop';
import type { TrialJobQueue } from './trial-dispatcher.service';

/**
 * A running trial whose worker's heartbeat no longer lists it is left alone this long after its last
 * write: a claim is written before the next heartbeat names the trial.
 */
const RUNNING_GRACE_MS = 15_000;
/** Trials looked at per pass; the next pass goes on where this one stopped being needed. */
const TRIALS_PER_PASS = 5_000;

/** Where a trial's job stands in Redis: gone, finished for good (completed or failed), or still to run or running. */
type JobPresence = { kind: 'missing' } | { kind: 'finished'; failedReason?: string } | { kind: 'live' };

export interface Repairs {
  /** Trials whose lost job is to be added again (queued ones, and running ones sent back to the queue). */
  requeued: number;
  /** Running trials that used their TRIAL_MAX_ATTEMPTS claims and ended `failed`. */
  failed: number;
}

/**
 * PostgreSQL is the truth and the queue a cache of it: compares active trials with their jobs and
 * repairs what the queue lost. A `queued` trial whose job is missing or finished gets a new job; a
 * `running` trial whose job is missing or finished and that no live worker runs goes back to `queued`
 * (it resumes from its checkpoint) or, after TRIAL_MAX_ATTEMPTS claims, ends `failed` with the reason.
 * Every repair is a conditional UPDATE on the state it saw, so several coordinators may run it at once.
 */
@Injectable()
export class TrialReconciler {
  private readonly logger = new Logger(TrialReconciler.name);

  constructor(
    private readonly stores: Stores,
    @InjectQueue(TRIALS_QUEUE) private readonly queue: TrialJobQueue,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  /** One pass. The caller then enqueues the trials it left un-enqueued and tops up sweeps with free slots. */
  async repair(): Promise<Repairs> {
    const candidates = await this.stores.trials.mayHaveLostTheirJob(RUNNING_GRACE_MS, TRIALS_PER_PASS);
    if (candidates.length === 0) return { requeued: 0, failed: 0 };
    const presence = await this.jobPresence(candidates.map((c) => c.id));
    const lost = candidates.map((trial, i) => ({ trial, job: presence[i] })).filter(({ job }) => job.kind !== 'live');
    if (lost.length === 0) return { requeued: 0, failed: 0 };
    // A finished job with the trial's id would swallow the new one (same job id): it goes first.
    await this.removeFinishedJobs(lost.filter(({ job }) => job.kind === 'finished').map(({ trial }) => trial.id));

    let requeued = 0;
    let failed = 0;
    for (const { trial, job } of lost) {
      const why = describeLoss(job);
      if (trial.status === 'queued') {
        requeued += Number(await this.stores.trials.requeueLost(trial, `${why}; it gets a new job`));
      } else if (trial.attempts >= TRIAL_MAX_ATTEMPTS) {
        failed += Number(await this.stores.trials.failLost(trial, crashLoopReason(trial.attempts, `the last time, ${why} and no live worker ran it`)));
      } else {
        requeued += Number(await this.stores.trials.requeueLost(trial, `${why} and no live worker runs it; back to the queue, to resume from its checkpoint`));
      }
    }
    if (requeued + failed > 0) this.logger.warn(`repaired ${requeued + failed} trials the queue had lost: ${requeued} queued again, ${failed} failed`);
    return { requeued, failed };
  }

  /**
   * Trials stranded longer than STRANDED_AFTER_MS: queued in a running sweep without a job, or running
   * with no live worker. Zero while the reconciler keeps up; it grows while Redis or every worker is away.
   */
  stranded(): Promise<number> {
    return this.stores.trials.countStranded(this.config.strandedAfterMs);
  }

  /** Each job's hash fields tell whether it exists and whether it finished (the commands go out back to back on one connection). */
  private async jobPresence(trialIds: readonly string[]): Promise<JobPresence[]> {
    const client = await this.queue.getBackend().client;
    const fields = await Promise.all(trialIds.map((id) => client.hmget(this.queue.toKey(id), 'timestamp', 'finishedOn', 'failedReason')));
    return fields.map(([timestamp, finishedOn, failedReason]): JobPresence => {
      if (timestamp === null) return { kind: 'missing' };
      if (finishedOn !== null) return { kind: 'finished', failedReason: failedReason ?? undefined };
      return { kind: 'live' };
    });
  }

  private async removeFinishedJobs(trialIds: readonly string[]): Promise<void> {
    await Promise.all(trialIds.map((id) => this.queue.remove(id).catch((error: Error) => this.logger.warn(`could not remove the finished job of trial ${id}: ${error.message}`))));
  }
}

function describeLoss(presence: JobPresence): string {
  if (presence.kind === 'missing') return 'its job was lost from the queue';
  if (presence.kind === 'finished' && presence.failedReason) return `its job failed (${presence.failedReason.slice(0, 500)})`;
  return 'its job ended without recording the trial';
}
