import { Injectable } from '@nestjs/common';
import { trialListOrder, type ListTrialsQuery, type MetricSeriesDto, type TrialDto, type TrialMetricsQuery, type TrialPageDto } from '@tuneforge/contracts';
import { checkpointsNewestFirst, Stores, type TrialEntity } from '@tuneforge/persistence';
import { CorruptCheckpointError, decodeCheckpoint, toLayersModelFiles } from '@tuneforge/formats';
import { NotFoundError } from '../common/domain-errors';
import { downsampleLttb } from '../curves/downsample';
import { isUuid } from '../common/query';
import { positionAfter, trialCursor, type TrialList } from './trial-cursor';

/** Which checkpoint a model download serves. */
export type ModelCheckpoint = 'latest' | 'best';

@Injectable()
export class TrialsService {
  constructor(private readonly stores: Stores) {}

  /** A sweep's trials, one page; `objective` order puts the best first for the sweep's direction; `after` continues from a page's nextCursor. */
  async listForSweep(sweepId: string, query: ListTrialsQuery): Promise<TrialPageDto> {
    const sweep = isUuid(sweepId) ? await this.stores.sweeps.find(sweepId, ['id', 'spec', 'trialsCreated']) : undefined;
    if (!sweep) throw new NotFoundError('SWEEP_NOT_FOUND', 'sweep', sweepId);
    const direction = sweep.spec.objective.direction;
    const list: TrialList = { sweepId, sort: query.sort, order: trialListOrder(query.sort, query.order, direction), status: query.status ?? null };
    const after = query.after === undefined ? undefined : positionAfter(query.after, list);
    const { trials, total, more } = await this.stores.trialReads.page(sweepId, direction, sweep.trialsCreated, { ...query, after });
    const offset = after?.at ?? query.offset;
    const last = trials.at(-1);
    return { items: trials.map(toTrialDto), total, limit: query.limit, offset, nextCursor: more && last ? trialCursor(list, last, offset + trials.length) : null };
  }

  async get(id: string): Promise<TrialDto> {
    return toTrialDto(await this.find(id));
  }

  /** Every recorded value of the trial's metrics, as one column of epochs and one of values per metric. */
  async metrics(id: string, query: TrialMetricsQuery): Promise<MetricSeriesDto> {
    await this.find(id);
    const names = query.names?.split(',');
    const rows = await this.stores.trialReads.metricPoints(id, names);
    const metrics: MetricSeriesDto['metrics'] = {};
    for (const row of rows) {
      const series = (metrics[row.name] ??= { epochs: [], values: [] });
      series.epochs.push(row.epoch);
      series.values.push(row.value);
    }
    if (query.points !== undefined) {
      for (const [name, series] of Object.entries(metrics)) metrics[name] = downsampleLttb(series, query.points);
    }
    return { trialId: id, metrics };
  }

  /** The trial's checkpoints, newest first (without their bytes). */
  async checkpoints(id: string): Promise<{ epoch: number; format: string; sizeBytes: number; createdAt: string }[]> {
    await this.find(id);
    const rows = await this.stores.trialReads.checkpointList(id);
    return rows.map((r) => ({ epoch: r.epoch, format: r.format, sizeBytes: r.sizeBytes, createdAt: r.createdAt.toISOString() }));
  }

  /** The stored bytes of the trial's checkpoint of one epoch. */
  async checkpointBytes(id: string, epoch: number): Promise<{ format: string; bytes: Buffer }> {
    await this.find(id);
    const row = await this.stores.trialReads.checkpoint(id, epoch);
    if (!row) throw new NotFoundError('CHECKPOINT_NOT_FOUND', `checkpoint of epoch ${epoch} of trial`, id);
    return row;
  }

  /**
   * A checkpoint as the files `tf.loadLayersModel` fetches, model.json and its weights: the newest
   * readable one (`latest`), or the one of the trial's best epoch, which scored its bestMetric (`best`).
   */
  async modelFiles(id: string, which: ModelCheckpoint, weightsPath: string): Promise<{ epoch: number; modelJson: object; weights: Buffer }> {
    const trial = await this.find(id);
    const candidates = which === 'latest' ? await checkpointsNewestFirst(this.stores.manager, id) : [await this.bestCheckpointOf(trial)].filter((row) => row !== undefined);
    for (const row of candidates) {
      try {
        const files = toLayersModelFiles(decodeCheckpoint(row.bytes), weightsPath);
        return { epoch: row.epoch, ...files };
      } catch (error) {
        if (!(error instanceof CorruptCheckpointError)) throw error;
      }
    }
    throw new NotFoundError('CHECKPOINT_NOT_FOUND', which === 'best' ? 'best-epoch checkpoint of trial' : 'checkpoint of trial', id);
  }

  /** The stored checkpoint of the trial's best epoch (the one that scored bestMetric), if it has one. */
  async bestCheckpointOf(trial: TrialEntity): Promise<{ epoch: number; bytes: Buffer } | undefined> {
    if (trial.bestEpoch === null) return undefined;
    const stored = await this.stores.trialReads.checkpoint(trial.id, trial.bestEpoch);
    return stored && { epoch: trial.bestEpoch, bytes: stored.bytes };
  }

  /** The trial, or TRIAL_NOT_FOUND (without asking the database when the id cannot exist). */
  async find(id: string): Promise<TrialEntity> {
    const trial = isUuid(id) ? await this.stores.trialReads.find(id) : undefined;
    if (!trial) throw new NotFoundError('TRIAL_NOT_FOUND', 'trial', id);
    return trial;
  }
}

function toTrialDto(trial: TrialEntity): TrialDto {
  return {
    id: trial.id,
    sweepId: trial.sweepId,
    number: trial.number,
    status: trial.status,
    statusReason: trial.statusReason,
    config: trial.config,
    seed: trial.seed,
    attempts: trial.attempts,
    bestMetric: trial.bestMetric,
    lastEpoch: trial.lastEpoch,
    bestEpoch: trial.bestEpoch,
    testMetrics: trial.testMetrics,
    testConfusion: trial.testConfusion,
    prunedRung: trial.prunedRung,
    workerId: trial.workerId,
    backend: trial.backend,
    events: trial.events,
    createdAt: trial.createdAt.toISOString(),
    startedAt: trial.startedAt?.toISOString() ?? null,
    finishedAt: trial.finishedAt?.toISOString() ?? null,
  };
}
