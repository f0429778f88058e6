import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ListTrialsQuery, MetricSeriesDto, Page, TrialDto, TrialMetricsQuery } from '@tuneforge/contracts';
import { SweepEntity, TrialEntity } from '@tuneforge/persistence';
import { NotFoundError } from '../common/domain-errors';
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
    if (!sweep) throw new NotFoundError('sweep', sweepId);
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
    return { trialId: id, metrics };
  }

  private async find(id: string): Promise<TrialEntity> {
    const trial = isUuid(id) ? await this.dataSource.manager.findOne(TrialEntity, { where: { id } }) : null;
    if (!trial) throw new NotFoundError('trial', id);
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
    createdAt: trial.createdAt.toISOString(),
    startedAt: trial.startedAt?.toISOString() ?? null,
    finishedAt: trial.finishedAt?.toISOString() ?? null,
  };
}
