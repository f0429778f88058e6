import { Inject, Injectable, Logger } from '@nestjs/common';
import type { SweepStatus, TrialEventType, TrialStatus } from '@tuneforge/contracts';
import {
  bestEpochCheckpoint,
  checkpointsNewestFirst,
  newestMetricPointId,
  retryWhileDatabaseUnavailable,
  rungValuesAt,
  rungValuesSince,
  saveCheckpoint,
  Stores,
  type AttemptState,
  type CheckpointEntity,
  type CheckpointToSave,
  type ClaimedTrial,
  type RungKey,
  type RungValueRow,
  type RungValuesRead,
  type TrialAttempt,
  type TrialEnding,
  type TrialRef,
} from '@tuneforge/persistence';
import type { TrainingEngine } from '@tuneforge/training';
import { coalescingLoader } from './coalescing-loader';
import { COMPUTE_BACKEND } from './compute-backend';
import { MetricWriter } from './metric-writer.service';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config';

/**
 * Batches of one kind that may run at once: two let PostgreSQL work on one while the next is being
 * gathered and sent (measured: 2 gave about 15% more trials/s than 1 in the bookkeeping benchmark).
 * Each uses a pooled connection, so the two kinds take at most 4 of the pool's 10.
 */
const STATEMENTS_IN_FLIGHT = 2;

/**
 * Everything a worker reads and writes in PostgreSQL about its trials. Every write is fenced by the
 * run's attempt (the trial's `attempts` at its claim), so two runners of one trial never both write,
 * and every statement waits out a PostgreSQL outage (retried until it answers) instead of failing the
 * job. The per-trial statements (claims, ends) are batched across this worker's slots:
 * while one statement is in flight the next requests gather.
 */
@Injectable()
export class TrialLedger {
  private readonly logger = new Logger(TrialLedger.name);
  private readonly claims = coalescingLoader(
    (keys: readonly TrialRef[]) => this.untilAnswered('claim trials', () => this.stores.trials.claim(keys, this.config.id, this.backend.name)),
    STATEMENTS_IN_FLIGHT,
  );
  private readonly endings = coalescingLoader(async (endings: readonly TrialEnding[]) => {
    await this.untilAnswered('write metrics', () => this.metrics.flush());
    return this.untilAnswered('record trial ends', () => this.stores.trials.end(endings));
  }, STATEMENTS_IN_FLIGHT);

  constructor(
    private readonly stores: Stores,
    private readonly metrics: MetricWriter,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(COMPUTE_BACKEND) private readonly backend: TrainingEngine,
  ) {}

  /**
   * Marks the trial running under a new attempt and returns it with its sweep's spec; undefined when
   * the trial is gone, has ended, or its sweep is not running or paused. A trial already `running`
   * is taken over: its earlier run is superseded and stops at its next write or check.
   */
  claim(trialId: string, sweepId: string): Promise<ClaimedTrial | undefined> {
    return this.claims.load({ id: trialId, sweepId });
  }

  /** Where a reader of new metric points starts: the newest one's id. */
  newestMetricPointId(): Promise<string> {
    return this.untilAnswered('read the newest metric point', () => newestMetricPointId(this.stores.manager));
  }

  /** The values stored at these rungs so far. */
  rungValuesAt(rungs: readonly RungKey[]): Promise<RungValueRow[]> {
    return this.untilAnswered('read rung values', () => rungValuesAt(this.stores.manager, rungs));
  }

  /** These sweeps' metric values stored after metric point `afterId`. */
  rungValuesSince(afterId: string, metrics: readonly { sweepId: string; metric: string }[]): Promise<RungValuesRead> {
    return this.untilAnswered('read new rung values', () => rungValuesSince(this.stores.manager, afterId, metrics));
  }

  /**
   * Records how a trial ended, after its metrics are written. False when nothing changed: the trial
   * had already ended (say, cancelled) or a later attempt holds it.
   */
  end(ending: TrialEnding): Promise<boolean> {
    return this.endings.load(ending);
  }

  /** Writes the buffered metrics, then the checkpoint with the trial's progress; false when the run's attempt is no longer current. */
  async saveCheckpoint(checkpoint: CheckpointToSave): Promise<boolean> {
    await this.untilAnswered('write metrics', () => this.metrics.flush());
    return this.untilAnswered('save a checkpoint', () => saveCheckpoint(this.stores.manager, checkpoint));
  }

  attemptState(run: TrialAttempt): Promise<AttemptState> {
    return this.untilAnswered('check a trial', () => this.stores.trials.attemptState(run));
  }

  /** Adds an event to the trial while this attempt holds it; false otherwise. */
  addEvent(run: TrialAttempt, type: TrialEventType, message: string): Promise<boolean> {
    return this.untilAnswered(`record a '${type}' event`, () => this.stores.trials.addEvent(run, type, message));
  }

  /** The run trains on another backend than the worker's (a model the native engine does not build). */
  recordBackend(run: TrialAttempt, backend: string): Promise<boolean> {
    return this.untilAnswered('record the backend', () => this.stores.trials.recordBackend(run, backend));
  }

  /** The trial goes back to `queued` (its job is put back on the queue by the caller); false when this attempt no longer holds it. */
  handBack(run: TrialAttempt, message: string): Promise<boolean> {
    return this.untilAnswered('hand the trial back', () => this.stores.trials.handBack(run, message));
  }

  /** The trial's and its sweep's status, for saying why a job's trial could not be claimed; undefined when either is gone. */
  statusOf(trialId: string, sweepId: string): Promise<{ trial: TrialStatus; attempts: number; sweep: SweepStatus } | undefined> {
    return this.untilAnswered('read a trial', () => this.stores.trials.statusOf(trialId, sweepId));
  }

  /** The content of an uploaded dataset; undefined when it was deleted. */
  uploadedCsv(datasetId: string): Promise<string | undefined> {
    return this.untilAnswered('read a dataset', () => this.stores.datasets.content(datasetId));
  }

  bestEpochCheckpoint(trialId: string): Promise<CheckpointEntity | undefined> {
    return this.untilAnswered('read the best checkpoint', () => bestEpochCheckpoint(this.stores.manager, trialId));
  }

  checkpointsNewestFirst(trialId: string): Promise<CheckpointEntity[]> {
    return this.untilAnswered('read checkpoints', () => checkpointsNewestFirst(this.stores.manager, trialId));
  }

  /** A statement that must not be lost: while PostgreSQL is unreachable it waits and tries again (the job's lock keeps renewing meanwhile). */
  private untilAnswered<T>(what: string, statement: () => Promise<T>): Promise<T> {
    return retryWhileDatabaseUnavailable(statement, {
      onRetry: (error, attempt) => {
        if (attempt === 1) this.logger.warn(`PostgreSQL is unreachable (${what}: ${(error as Error).message}); retrying until it answers`);
      },
    });
  }
}
