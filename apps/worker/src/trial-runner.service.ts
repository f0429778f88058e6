import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import type { FinishedTrialStatus, JobName, JobOf, SweepSpec, TrialEventType, TrialOutcome } from '@tuneforge/contracts';
import { decideFromSummary, peerNumbersOf, reductionFactorOf, rungAt, type RungCheck, type StopDecision } from '@tuneforge/search';
import {
  DatasetTooShortError,
  NonFiniteLossError,
  SIMULATED_CHECKPOINT_FORMAT,
  SimulatedSession,
  loadTrainingData,
  metricsToStore,
  openLstmSession,
  uploadedDataFromCsv,
  type TrainingEngine,
  type TrainingSession,
  type UploadedData,
} from '@tuneforge/training';
import { withLogContext } from '@tuneforge/logging';
import { CHECKPOINT_FORMAT, CorruptCheckpointError, decodeCheckpoint } from '@tuneforge/formats';
import type { AttemptState, ClaimedTrial, TrialAttempt, TrialEnding } from '@tuneforge/persistence';
import { MetricWriter } from './metric-writer.service';
import { RungPeers } from './rung-peers.service';
import { COMPUTE_BACKEND } from './compute-backend';
import { TrialLedger } from './trial-ledger.service';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config';
import { WorkerMetrics } from './worker-metrics.service';

type TrialJob = Job<JobOf<typeof JobName.TrainTrial>>;

/** How often a run asks whether it may go on (cancelled, or superseded by a later claim) between its writes. */
const ATTEMPT_CHECK_MS = 1_000;

/**
 * The run's best epoch by the objective (null: a resumed run that has not beaten its checkpoint's best yet,
 * whose stored best epoch stands), and that epoch's checkpoint while no checkpoint has stored it. A kill
 * before it is stored loses only that: the resumed run retrains the same epochs (per-epoch seeds) and
 * scores the same best again.
 */
interface BestEpoch {
  epoch: number | null;
  unstored?: Buffer;
  /** That epoch's checkpoint while this run holds it (stored or not): what the test split scores at the end. */
  held?: Buffer;
}

/** Thrown inside a run whose attempt no longer holds its trial: it stops at once and writes nothing more. */
class AttemptLostError extends Error {
  constructor(readonly state: Exclude<AttemptState, 'current'>) {
    super(`the run's attempt no longer holds the trial (${state})`);
  }
}

/**
 * Runs one trial job: claims the trial, resumes from its newest readable checkpoint, trains epoch
 * by epoch (metrics buffered, checkpoints atomic with the trial's progress), and records how it ended.
 */
@Injectable()
export class TrialRunner {
  private readonly logger = new Logger(TrialRunner.name);
  private stopping = false;
  readonly running = new Set<string>();

  constructor(
    private readonly metrics: MetricWriter,
    private readonly ledger: TrialLedger,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(COMPUTE_BACKEND) private readonly backend: TrainingEngine,
    private readonly workerMetrics: WorkerMetrics,
    private readonly rungPeers: RungPeers,
  ) {}

  /** From now on, running trials checkpoint after their current epoch and go back to the queue. */
  requestStop(): void {
    this.stopping = true;
  }

  /** Resolves once no trial is running here. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  async run(job: TrialJob, token?: string): Promise<TrialOutcome> {
    const { trialId, sweepId } = job.data;
    if (this.stopping) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const trial = await this.ledger.claim(trialId, sweepId);
    if (!trial) return this.whyNotClaimed(trialId, sweepId);

    this.running.add(trialId);
    this.workerMetrics.runningTrials.set(this.running.size);
    const run: TrialAttempt = { trialId, attempt: trial.attempts };
    return withLogContext({ attempt: run.attempt }, async () => {
      try {
        return await this.runClaimed(job, token, trial, run);
      } catch (error) {
        if (error instanceof AttemptLostError) return this.stopLostRun(run, error.state);
        throw error;
      } finally {
        this.running.delete(trialId);
        this.workerMetrics.runningTrials.set(this.running.size);
      }
    });
  }

  private async runClaimed(job: TrialJob, token: string | undefined, trial: ClaimedTrial, run: TrialAttempt): Promise<TrialOutcome> {
    let session: TrainingSession | undefined;
    try {
      session = await this.openSession(trial, run);
      if (session.epoch > 0) await this.addEvent(run, 'resumed', `resumed from the checkpoint of epoch ${session.epoch}`);
      return await this.train(job, token, trial, run, session);
    } catch (error) {
      if (error instanceof DatasetTooShortError || error instanceof NonFiniteLossError) {
        await this.end(run, 'failed', error.message, session?.bestMetric ?? null, session?.epoch ?? null);
        return 'failed';
      }
      throw error;
    } finally {
      session?.dispose();
    }
  }

  private async train(job: TrialJob, token: string | undefined, trial: ClaimedTrial, run: TrialAttempt, session: TrainingSession): Promise<TrialOutcome> {
    const { spec } = trial;
    const { maxEpochs, checkpointEvery } = trial.config;
    let checkpointed = session.epoch;
    const best: BestEpoch = { epoch: null };
    let checkedAt = Date.now(); // the claim just found the trial live
    while (session.epoch < maxEpochs) {
      if (this.stopping) return this.handBack(job, token, run, session, checkpointed, best);
      // Fast epochs (the simulated family) ask at most once a second whether the run may go on.
      if (Date.now() - checkedAt >= ATTEMPT_CHECK_MS) {
        const state = await this.ledger.attemptState(run);
        if (state !== 'current') throw new AttemptLostError(state);
        checkedAt = Date.now();
      }
      const bestBefore = session.bestMetric;
      const epochStarted = performance.now();
      const metrics = await session.trainNextEpoch();
      this.workerMetrics.epochTrained(trial.config.model, (performance.now() - epochStarted) / 1000, session.samplesPerEpoch);
      this.metrics.add(trial.sweepId, trial.id, run.attempt, session.epoch, metricsToStore(session.epoch, metrics));
      const atCheckpoint = session.epoch % checkpointEvery === 0 || session.epoch === maxEpochs;
      if (session.bestMetric !== bestBefore) {
        // A new best is the model the trial hands over: its weights are taken now and stored with the next checkpoint.
        best.epoch = session.epoch;
        best.unstored = atCheckpoint ? undefined : await session.checkpoint();
        best.held = best.unstored;
      }
      if (atCheckpoint) {
        await this.checkpoint(run, session, best);
        checkpointed = session.epoch;
        checkedAt = Date.now(); // a stored checkpoint proves the attempt current
      }
      const rung = rungAt(spec.earlyStopping, maxEpochs, trial.number, session.epoch);
      if (rung) {
        const decision = await this.decideAtRung(trial, spec, rung, session.epoch, metrics[spec.objective.metric]);
        if (decision.stop) {
          const unstoredBest = best.unstored && best.epoch !== null ? { epoch: best.epoch, format: session.checkpointFormat, bytes: best.unstored } : undefined;
          await this.end(run, 'pruned', decision.reason, session.bestMetric, session.epoch, {
            prunedRung: rung.rung,
            best: unstoredBest,
            ...(await this.scoreOnTest(run, session, best)),
          });
          return 'pruned';
        }
      }
    }
    const objective = spec.objective.metric;
    const scores = await this.scoreOnTest(run, session, best);
    await this.end(
      run,
      'completed',
      `best ${objective} ${session.bestMetric?.toPrecision(6) ?? 'n/a'} after ${session.epoch} epochs`,
      session.bestMetric,
      session.epoch,
      scores,
    );
    return 'completed';
  }

  /**
   * The test split's scores of the model the trial hands over, measured once as it ends (completed, and
   * pruned too, so that every scored trial is compared on the same rows), with how its inputs were made.
   */
  private async scoreOnTest(
    run: TrialAttempt,
    session: TrainingSession,
    best: BestEpoch,
  ): Promise<Pick<TrialEnding, 'testMetrics' | 'testConfusion' | 'preprocessing'>> {
    const bestCheckpoint = async () => {
      if (best.held) return best.held;
      // A resumed run that has not beaten its checkpoint's best: that best's checkpoint is stored.
      const stored = await this.ledger.bestEpochCheckpoint(run.trialId);
      if (!stored) throw new CorruptCheckpointError(`the checkpoint of the best epoch is not stored`);
      return stored.bytes;
    };
    try {
      const { metrics, confusion } = await session.scoreOnTest(bestCheckpoint);
      return { testMetrics: metrics, testConfusion: confusion, preprocessing: session.preprocessing };
    } catch (error) {
      if (!(error instanceof CorruptCheckpointError)) throw error;
      this.logger.warn(`trial ${run.trialId}: no test score (${error.message})`);
      return { testMetrics: null, preprocessing: session.preprocessing };
    }
  }

  /** The rare path: say why a job's trial could not be claimed. */
  private async whyNotClaimed(trialId: string, sweepId: string): Promise<TrialOutcome> {
    const status = await this.ledger.statusOf(trialId, sweepId);
    if (!status) throw new UnrecoverableError(`trial ${trialId} of sweep ${sweepId} no longer exists`);
    if (status.sweep === 'cancelled') {
      // Not claimed, so no run holds it: end it under the attempt it has.
      await this.ledger.end({ trialId, attempt: status.attempts, status: 'cancelled', reason: 'sweep cancelled', bestMetric: null, lastEpoch: null });
      return 'cancelled';
    }
    this.logger.log(`trial ${trialId} is ${status.trial} in a ${status.sweep} sweep; skipping its job`);
    return 'skipped';
  }

  /** A run whose attempt lost the trial stops without writing: a later claim resumes it, or it was cancelled or ended. */
  private stopLostRun(run: TrialAttempt, state: Exclude<AttemptState, 'current'>): TrialOutcome {
    if (state === 'superseded') {
      this.logger.warn(`trial ${run.trialId}: attempt ${run.attempt} was superseded by a later claim; this run stops and writes nothing more`);
      return 'superseded';
    }
    this.logger.log(`trial ${run.trialId} ${state === 'cancelled' ? 'was cancelled' : 'has already ended'}; attempt ${run.attempt} stops`);
    return state === 'cancelled' ? 'cancelled' : 'skipped';
  }

  /** What an uploaded dataset holds (read from PostgreSQL), or undefined for builtin datasets. */
  private async uploadedData(trial: ClaimedTrial): Promise<UploadedData | undefined> {
    const dataset = trial.config.dataset;
    if (dataset.source !== 'upload') return undefined;
    const csv = await this.ledger.uploadedCsv(String(dataset.id));
    if (csv === undefined) throw new UnrecoverableError(`uploaded dataset ${String(dataset.id)} no longer exists`);
    return uploadedDataFromCsv(csv, dataset);
  }

  /** A session for the trial's model family, restored from its newest readable checkpoint if it has one. */
  private async openSession(trial: ClaimedTrial, run: TrialAttempt): Promise<TrainingSession> {
    const { config, seed, spec } = trial;
    // A first attempt has no checkpoint to look for.
    const firstAttempt = trial.attempts === 1;
    if (config.model === 'simulated') {
      const restored = firstAttempt
        ? undefined
        : await this.newestReadable(run, SIMULATED_CHECKPOINT_FORMAT, (bytes) =>
            SimulatedSession.fromCheckpoint(bytes, config, spec.objective, this.config.simulatedEpochMs),
          );
      return restored ?? new SimulatedSession(config, seed, spec.objective, 0, null, this.config.simulatedEpochMs);
    }
    const data = await loadTrainingData(config.dataset, await this.uploadedData(trial));
    const checkpoint = firstAttempt ? undefined : await this.newestReadable(run, CHECKPOINT_FORMAT, decodeCheckpoint);
    const opened = await openLstmSession(this.backend, data, config, seed, spec.objective, checkpoint);
    if (opened.fallbackReason) {
      this.logger.warn(`trial ${trial.id} trains on ${opened.backend}: ${opened.fallbackReason}`);
      await this.ledger.recordBackend(run, opened.backend);
    }
    return opened.session;
  }

  /** Decodes the newest checkpoint that reads; each unreadable one is skipped and recorded on the trial. */
  private async newestReadable<T>(run: TrialAttempt, format: string, decode: (bytes: Buffer) => T): Promise<T | undefined> {
    const { trialId } = run;
    for (const row of await this.ledger.checkpointsNewestFirst(trialId)) {
      try {
        if (row.format !== format) throw new CorruptCheckpointError(`format '${row.format}' is not '${format}'`);
        return decode(row.bytes);
      } catch (error) {
        if (!(error instanceof CorruptCheckpointError)) throw error;
        this.logger.warn(`trial ${trialId}: checkpoint of epoch ${row.epoch} is unreadable (${error.message}); trying an older one`);
        await this.addEvent(run, 'checkpoint-fallback', `checkpoint of epoch ${row.epoch} is unreadable: ${error.message}`);
      }
    }
    return undefined;
  }

  /** Applies the rule to a summary of the other trials' values at this epoch (this worker's index of the sweep's rungs). */
  private async decideAtRung(trial: ClaimedTrial, spec: SweepSpec, rung: RungCheck, epoch: number, value: number | undefined): Promise<StopDecision> {
    const metric = spec.objective.metric;
    if (value === undefined || !Number.isFinite(value)) return { stop: false, reason: `no ${metric} at epoch ${epoch}` };
    // Peers exclude this trial, so its own value need not be written first; the writer's timer publishes it.
    const peers = await this.rungPeers.summary({
      sweepId: trial.sweepId,
      trialNumber: trial.number,
      metric,
      epoch,
      value,
      direction: spec.objective.direction,
      peers: peerNumbersOf(spec.earlyStopping, trial.config.maxEpochs, rung.group),
      reductionFactor: reductionFactorOf(spec.earlyStopping),
    });
    return decideFromSummary(spec.earlyStopping, rung, epoch, metric, value, peers, spec.objective.direction);
  }

  /**
   * The checkpoint, the best epoch's (when it is not stored yet) and the trial's progress in one statement,
   * after the epoch's metrics are written; a refused one stops the run.
   */
  private async checkpoint(run: TrialAttempt, session: TrainingSession, best: BestEpoch): Promise<void> {
    const bytes = await session.checkpoint();
    const saved = await this.ledger.saveCheckpoint({
      ...run,
      epoch: session.epoch,
      format: session.checkpointFormat,
      bytes,
      bestMetric: session.bestMetric,
      bestEpoch: best.epoch,
      bestBytes: best.unstored,
    });
    if (!saved) await this.throwLost(run);
    if (best.epoch === session.epoch) best.held = bytes;
    best.unstored = undefined;
  }

  private async handBack(
    job: TrialJob,
    token: string | undefined,
    run: TrialAttempt,
    session: TrainingSession,
    checkpointed: number,
    best: BestEpoch,
  ): Promise<never> {
    if (session.epoch > checkpointed || best.unstored) await this.checkpoint(run, session, best);
    const handedBack = await this.ledger.handBack(run, `worker ${this.config.id} stopped after epoch ${session.epoch}; the trial goes back to the queue`);
    if (!handedBack) await this.throwLost(run);
    await job.moveToWait(token);
    throw new WaitingError();
  }

  private async end(
    run: TrialAttempt,
    status: FinishedTrialStatus,
    reason: string,
    bestMetric: number | null,
    lastEpoch: number | null,
    more: Pick<TrialEnding, 'prunedRung' | 'best' | 'testMetrics' | 'testConfusion' | 'preprocessing'> = {},
  ): Promise<void> {
    if (!(await this.ledger.end({ ...run, status, reason, bestMetric, lastEpoch, ...more }))) await this.throwLost(run);
    this.logger.log(`trial ${run.trialId} ${status}: ${reason}`);
  }

  private async addEvent(run: TrialAttempt, type: TrialEventType, message: string): Promise<void> {
    if (!(await this.ledger.addEvent(run, type, message))) await this.throwLost(run);
  }

  /** A write was refused: find out why (superseded, cancelled, ended) and stop the run. */
  private async throwLost(run: TrialAttempt): Promise<never> {
    const state = await this.ledger.attemptState(run);
    throw new AttemptLostError(state === 'current' ? 'ended' : state);
  }
}
