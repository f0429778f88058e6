import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ListTrialsQuery, MetricSeriesDto, Page, TrialDto, TrialMetricsQuery } from '@tuneforge/contracts';
import { checkpointsNewestFirst, SweepEntity, TrialEntity } from '@tuneforge/persistence';
import { CorruptCheckpointError, decodeCheckpoint, toLayersModelFiles } from '@tuneforge/formats';
import { NotFoundError } from '../common/domain-errors';
import { downsampleLttb } from '../curves/downsample';
import { isUuid } from '../common/query';

const SORT_COLUMNS = { objective: 'trial.bestMetric', number: 'trial.number', createdAt: 'trial.createdAt' } as const;

@Injectable()
export class TrialsService {
  constructor(private readonly dataSource: DataSource) {}

  /** A sweep's trials, one page; `objective` order puts the best first for the sweep's direction. */
  async listForSweep(sweepId: string, query: ListTrialsQuery): Promise<Page<TrialDto>> {
    const sweep = isUuid(sweepId)
      ? await this.dataSource.manager.findOne(SweepEntity, { where: { id: sweepId }, select: ['id', 'spec', 'trialsCreated'] })
      : null;
    if (!sweep) throw new NotFoundError('SWEEP_NOT_FOUND', 'sweep', sweepId);
    const bestFirst = sweep.spec.objective.direction === 'maximize' ? 'DESC' : 'ASC';
    const order = query.order ? (query.order.toUpperCase() as 'ASC' | 'DESC') : query.sort === 'objective' ? bestFirst : 'ASC';
    const builder = this.dataSource.manager
      .createQueryBuilder(TrialEntity, 'trial')
      .where('trial.sweepId = :sweepId', { sweepId })
      .orderBy(SORT_COLUMNS[query.sort], order, 'NULLS LAST')
      .addOrderBy('trial.number', 'ASC')
      .take(query.limit)
      .skip(query.offset);
    if (query.status) builder.andWhere('trial.status = :status', { status: query.status });
    // Unfiltered, the total is the sweep's own counter: no count over thousands of rows per page.
    const [trials, total] = query.status ? await builder.getManyAndCount() : [await builder.getMany(), sweep.trialsCreated];
    return { items: trials.map(toTrialDto), total, limit: query.limit, offset: query.offset };
  }

  async get(id: string): Promise<TrialDto> {
    return toTrialDto(await this.find(id));
  }

  /** Every recorded value of the trial's metrics, as one column of epochs and one of values per metric. */
  async metrics(id: string, query: TrialMetricsQuery): Promise<MetricSeriesDto> {
    await this.find(id);
    const names = query.names?.split(',');
    const rows: { name: string; epoch: number; value: number }[] = await this.dataSource.query(
      `SELECT name, epoch, value FROM metric_points
       WHERE trial_id = $1 AND ($2::text[] IS NULL OR name = ANY($2))
       ORDER BY name, epoch`,
      [id, names ?? null],
    );
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
    const rows: { epoch: number; format: string; size_bytes: number; created_at: Date }[] = await this.dataSource.query(
      `SELECT epoch, format, size_bytes, created_at FROM checkpoints WHERE trial_id = $1 ORDER BY epoch DESC`,
      [id],
    );
    return rows.map((r) => ({ epoch: r.epoch, format: r.format, sizeBytes: r.size_bytes, createdAt: r.created_at.toISOString() }));
  }

  /** The stored bytes of the trial's checkpoint of one epoch. */
  async checkpointBytes(id: string, epoch: number): Promise<{ format: string; bytes: Buffer }> {
    await this.find(id);
    const [row]: { format: string; bytes: Buffer }[] = await this.dataSource.query(`SELECT format, bytes FROM checkpoints WHERE trial_id = $1 AND epoch = $2`, [id, epoch]);
    if (!row) throw new NotFoundError('CHECKPOINT_NOT_FOUND', `checkpoint of epoch ${epoch} of trial`, id);
    return row;
  }

  /** The newest readable checkpoint as the files `tf.loadLayersModel` fetches: model.json and its weights. */
  async latestModelFiles(id: string, weightsPath: string): Promise<{ epoch: number; modelJson: object; weights: Buffer }> {
    await this.find(id);
    for (const row of await checkpointsNewestFirst(this.dataSource.manager, id)) {
      try {
        const files = toLayersModelFiles(decodeCheckpoint(row.bytes), weightsPath);
        return { epoch: row.epoch, ...files };
      } catch (error) {
        if (!(error instanceof CorruptCheckpointError)) throw error;
      }
    }
    throw new NotFoundError('CHECKPOINT_NOT_FOUND', 'checkpoint of trial', id);
  }

  private async find(id: string): Promise<TrialEntity> {
    const trial = isUuid(id) ? await this.dataSource.manager.findOne(TrialEntity, { where: { id } }) : null;
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
    prunedRung: trial.prunedRung,
    workerId: trial.workerId,
    backend: trial.backend,
    events: trial.events,
    createdAt: trial.createdAt.toISOString(),
    startedAt: trial.startedAt?.toISOString() ?? null,
    finishedAt: trial.finishedAt?.toISOString() ?? null,
  };
}
