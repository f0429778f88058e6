import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, WaitingError, type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import type { JobName, JobOf, SweepSpec, TrialEventType, TrialStatus } from '@tuneforge/contracts';
import { decideFromSummary, peerNumbersOf, reductionFactorOf, rungAt, type RungCheck, type StopDecision } from '@tuneforge/search';
import { checkpointsNewestFirst, DatasetEntity, saveCheckpoint, SweepEntity, TrialEntity } from '@tuneforge/persistence';
import {
  CHECKPOINT_FORMAT,
  CorruptCheckpointError,
  DatasetTooShortError,
  decodeCheckpoint,
  NonFiniteLossError,
  parseCsvTable,
  seriesFromCsv,
  SIMULATED_CHECKPOINT_FORMAT,
  SimulatedSession,
  trainingDataFor,
  metricsToStore,
  openLstmSession,
  type TrainingEngine,
  type TrainingSession,
  type TimeSeries,
} from '@tuneforge/training';
import { MetricWriter } from './metric-writer.service';
import { COMPUTE_BACKEND } from './compute-backend';
import { TrialLedger, trialEvent, type ClaimedTrial } from './trial-ledger.service';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config';

type TrialJob = Job<JobOf<typeof JobName.TrainTrial>>;

const CANCEL_CHECK_MS = 1_000;

export type TrialOutcome = 'completed' | 'pruned' | 'failed' | 'cancelled' | 'skipped';

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
    private readonly dataSource: DataSource,
    private readonly metrics: MetricWriter,
    private readonly ledger: TrialLedger,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(COMPUTE_BACKEND) private readonly backend: TrainingEngine,
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
    let session: TrainingSession | undefined;
    try {
      session = await this.openSession(trial);
      if (session.epoch > 0) await this.addEvent(trialId, 'resumed', `resumed from the checkpoint of epoch ${session.epoch}`);
      return await this.train(job, token, trial, trial.spec, session);
    } catch (error) {
      if (error instanceof DatasetTooShortError || error instanceof NonFiniteLossError) {
        await this.end(trialId, 'failed', error.message, session?.bestMetric ?? null, session?.epoch ?? null);
        return 'failed';
      }
      throw error;
    } finally {
      session?.dispose();
      this.running.delete(trialId);
    }
  }

  private async train(job: TrialJob, token: string | undefined, trial: ClaimedTrial, spec: SweepSpec, session: TrainingSession): Promise<TrialOutcome> {
    const { maxEpochs, checkpointEvery } = trial.config;
    let checkpointed = session.epoch;
    let cancelCheckedAt = Date.now(); // the claim just found the trial live
    while (session.epoch < maxEpochs) {
      if (this.stopping) return this.handBack(job, token, trial.id, session, checkpointed);
      // Fast epochs (the simulated family) ask at most once a second whether the trial was cancelled.
      if (Date.now() - cancelCheckedAt >= CANCEL_CHECK_MS) {
        if (await this.wasCancelled(trial.id)) return 'cancelled';
        cancelCheckedAt = Date.now();
      }
      const metrics = await session.trainNextEpoch();
      this.metrics.add(trial.sweepId, trial.id, session.epoch, metricsToStore(session.epoch, metrics));
      if (session.epoch % checkpointEvery === 0 || session.epoch === maxEpochs) {
        await this.checkpoint(trial.id, session);
        checkpointed = session.epoch;
      }
      const rung = rungAt(spec.earlyStopping, maxEpochs, trial.number, session.epoch);
      if (rung) {
        const decision = await this.decideAtRung(trial, spec, rung, session.epoch, metrics[spec.objective.metric]);
        if (decision.stop) {
          await this.end(trial.id, 'pruned', decision.reason, session.bestMetric, session.epoch, rung.rung);
          return 'pruned';
        }
      }
    }
    const objective = spec.objective.metric;
    await this.end(trial.id, 'completed', `best ${objective} ${session.bestMetric?.toPrecision(6) ?? 'n/a'} after ${session.epoch} epochs`, session.bestMetric, session.epoch);
    return 'completed';
  }

  /** The rare path: say why a job's trial could not be claimed. */
  private async whyNotClaimed(trialId: string, sweepId: string): Promise<TrialOutcome> {
    const trial = await this.dataSource.manager.findOne(TrialEntity, { where: { id: trialId }, select: ['id', 'sweepId', 'status'] });
    const sweep = await this.dataSource.manager.findOne(SweepEntity, { where: { id: sweepId }, select: ['id', 'status'] });
    if (!trial || !sweep || trial.sweepId !== sweepId) throw new UnrecoverableError(`trial ${trialId} of sweep ${sweepId} no longer exists`);
    if (sweep.status === 'cancelled') {
      await this.end(trialId, 'cancelled', 'sweep cancelled', null, null);
      return 'cancelled';
    }
    this.logger.log(`trial ${trialId} is ${trial.status} in a ${sweep.status} sweep; skipping its job`);
    return 'skipped';
  }

  /** The series of an uploaded dataset (read from PostgreSQL), or undefined for builtin datasets. */
  private async uploadedSeries(trial: ClaimedTrial): Promise<TimeSeries | undefined> {
    const dataset = trial.config.dataset;
    if (dataset.source !== 'upload') return undefined;
    const row = await this.dataSource.manager.findOne(DatasetEntity, { where: { id: String(dataset.id) } });
    if (!row) throw new UnrecoverableError(`uploaded dataset ${String(dataset.id)} no longer exists`);
    return seriesFromCsv(parseCsvTable(row.content.toString('utf8')), String(dataset.target), (dataset.features as string[]) ?? []);
  }

  /** A session for the trial's model family, restored from its newest readable checkpoint if it has one. */
  private async openSession(trial: ClaimedTrial): Promise<TrainingSession> {
    const { config, seed, spec } = trial;
    // A first attempt has no checkpoint to look for.
    const firstAttempt = trial.attempts === 1;
    if (config.model === 'simulated') {
      const restored = firstAttempt
        ? undefined
        : await this.newestReadable(trial.id, SIMULATED_CHECKPOINT_FORMAT, (bytes) => SimulatedSession.fromCheckpoint(bytes, config, spec.objective, this.config.simulatedEpochMs));
      return restored ?? new SimulatedSession(config, seed, spec.objective, 0, null, this.config.simulatedEpochMs);
    }
    const data = trainingDataFor(config.dataset, await this.uploadedSeries(trial));
    const checkpoint = firstAttempt ? undefined : await this.newestReadable(trial.id, CHECKPOINT_FORMAT, decodeCheckpoint);
    const opened = await openLstmSession(this.backend, data, config, seed, spec.objective, checkpoint);
    if (opened.fallbackReason) {
      this.logger.warn(`trial ${trial.id} trains on ${opened.backend}: ${opened.fallbackReason}`);
      await this.dataSource.query(`UPDATE trials SET backend = $2 WHERE id = $1`, [trial.id, opened.backend]);
    }
    return opened.session;
  }

  /** Decodes the newest checkpoint that reads; each unreadable one is skipped and recorded on the trial. */
  private async newestReadable<T>(trialId: string, format: string, decode: (bytes: Buffer) => T): Promise<T | undefined> {
    for (const row of await checkpointsNewestFirst(this.dataSource.manager, trialId)) {
      try {
        if (row.format !== format) throw new CorruptCheckpointError(`format '${row.format}' is not '${format}'`);
        return decode(row.bytes);
      } catch (error) {
        if (!(error instanceof CorruptCheckpointError)) throw error;
        this.logger.warn(`trial ${trialId}: checkpoint of epoch ${row.epoch} is unreadable (${error.message}); trying an older one`);
        await this.addEvent(trialId, 'checkpoint-fallback', `checkpoint of epoch ${row.epoch} is unreadable: ${error.message}`);
      }
    }
    return undefined;
  }

  /** Applies the rule to a summary of the other trials' values at this epoch, computed by PostgreSQL. */
  private async decideAtRung(trial: ClaimedTrial, spec: SweepSpec, rung: RungCheck, epoch: number, value: number | undefined): Promise<StopDecision> {
    const metric = spec.objective.metric;
    if (value === undefined || !Number.isFinite(value)) return { stop: false, reason: `no ${metric} at epoch ${epoch}` };
    // Peers exclude this trial, so its own value need not be written first; the writer's timer publishes it.
    const peers = await this.ledger.peersAtRung({
      sweepId: trial.sweepId,
      trialId: trial.id,
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

  /** The checkpoint and the trial's progress in one statement, after the epoch's metrics are written. */
  private async checkpoint(trialId: string, session: TrainingSession): Promise<void> {
    const bytes = await session.checkpoint();
    await this.metrics.flush();
    await saveCheckpoint(this.dataSource.manager, { trialId, epoch: session.epoch, format: session.checkpointFormat, bytes, bestMetric: session.bestMetric });
  }

  private async handBack(job: TrialJob, token: string | undefined, trialId: string, session: TrainingSession, checkpointed: number): Promise<never> {
    if (session.epoch > checkpointed) await this.checkpoint(trialId, session);
    await this.dataSource.query(`UPDATE trials SET status = 'queued', events = events || $2::jsonb WHERE id = $1 AND status = 'running'`, [
      trialId,
      JSON.stringify([trialEvent('handed-back', `worker ${this.config.id} stopped after epoch ${session.epoch}; the trial goes back to the queue`)]),
    ]);
    await job.moveToWait(token);
    throw new WaitingError();
  }

  private async wasCancelled(trialId: string): Promise<boolean> {
    const [row] = await this.dataSource.query(`SELECT status FROM trials WHERE id = $1`, [trialId]);
    return !row || row.status === 'cancelled';
  }

  private async end(trialId: string, status: TrialStatus, reason: string, bestMetric: number | null, lastEpoch: number | null, prunedRung: number | null = null): Promise<void> {
    await this.ledger.end({ trialId, status, reason, bestMetric, lastEpoch, prunedRung });
    this.logger.log(`trial ${trialId} ${status}: ${reason}`);
  }

  private async addEvent(trialId: string, type: TrialEventType, message: string): Promise<void> {
    await this.dataSource.query(`UPDATE trials SET events = events || $2::jsonb WHERE id = $1`, [trialId, JSON.stringify([trialEvent(type, message)])]);
  }
}
