import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { bestFirst, SCORED_TRIAL_STATUSES, type Direction, type TrialStatus } from '@tuneforge/contracts';
import { CheckpointEntity, TrialEntity } from '../entities';
import { column, queryRows } from '../rows';
import { bestFirstOrder } from './best-first';

export interface TrialPageQuery {
  sort: 'objective' | 'number' | 'createdAt';
  order?: 'asc' | 'desc';
  status?: TrialStatus;
  limit: number;
  offset: number;
}

const SORT_COLUMNS = { objective: 'trial.bestMetric', number: 'trial.number', createdAt: 'trial.createdAt' } as const;

/** Trials, their metric series and their checkpoints, as the API reads them. */
export class TrialReadModel {
  constructor(private readonly manager: EntityManager) {}

  async find(id: string): Promise<TrialEntity | undefined> {
    return (await this.manager.findOne(TrialEntity, { where: { id } })) ?? undefined;
  }

  /**
   * One page of a sweep's trials; `objective` order puts the best first for `direction`. With a status
   * filter the total is counted; without one it is `trialsCreated` (no count over thousands of rows per page).
   */
  async page(sweepId: string, direction: Direction, trialsCreated: number, query: TrialPageQuery): Promise<[TrialEntity[], number]> {
    const order = query.order ? (query.order.toUpperCase() as 'ASC' | 'DESC') : query.sort === 'objective' ? bestFirst(direction) : 'ASC';
    const builder = this.manager
      .createQueryBuilder(TrialEntity, 'trial')
      .where('trial.sweepId = :sweepId', { sweepId })
      .orderBy(SORT_COLUMNS[query.sort], order, 'NULLS LAST')
      .addOrderBy('trial.number', 'ASC')
      .take(query.limit)
      .skip(query.offset);
    if (query.status) builder.andWhere('trial.status = :status', { status: query.status });
    return query.status ? builder.getManyAndCount() : [await builder.getMany(), trialsCreated];
  }

  /**
   * The sweep's best trial with a model to export, best first for `direction`: scored (completed or pruned),
   * with a record of how its inputs were made (`preprocessing`; the simulated family has none) and its best
   * epoch's checkpoint stored. The coordinator's model export says which of these a given trial lacks.
   */
  async bestExportable(sweepId: string, direction: Direction): Promise<TrialEntity | undefined> {
    const [best] = await queryRows(
      this.manager,
      z.object({ id: column.id }),
      `SELECT t.id FROM trials t
       WHERE t.sweep_id = $1 AND t.status = ANY($2::trial_status[]) AND t.preprocessing IS NOT NULL
         AND EXISTS (SELECT 1 FROM checkpoints c WHERE c.trial_id = t.id AND c.epoch = t.best_epoch)
       ORDER BY ${bestFirstOrder(direction, 't')} LIMIT 1`,
      [sweepId, SCORED_TRIAL_STATUSES],
    );
    return best ? this.find(best.id) : undefined;
  }

  /** Every stored point of the trial's metrics (all, or the named ones), by name then epoch. */
  metricPoints(trialId: string, names?: readonly string[]): Promise<{ name: string; epoch: number; value: number }[]> {
    return queryRows(
      this.manager,
      z.object({ name: column.text, epoch: column.int, value: column.float }),
      `SELECT name, epoch, value FROM metric_points WHERE trial_id = $1 AND ($2::text[] IS NULL OR name = ANY($2)) ORDER BY name, epoch`,
      [trialId, names ?? null],
    );
  }

  /** The trial's checkpoints without their bytes, newest first. */
  checkpointList(trialId: string): Promise<Pick<CheckpointEntity, 'epoch' | 'format' | 'sizeBytes' | 'createdAt'>[]> {
    return this.manager.find(CheckpointEntity, { where: { trialId }, select: ['trialId', 'epoch', 'format', 'sizeBytes', 'createdAt'], order: { epoch: 'DESC' } });
  }

  async checkpoint(trialId: string, epoch: number): Promise<Pick<CheckpointEntity, 'format' | 'bytes'> | undefined> {
    return (await this.manager.findOne(CheckpointEntity, { where: { trialId, epoch }, select: ['trialId', 'epoch', 'format', 'bytes'] })) ?? undefined;
  }
}
