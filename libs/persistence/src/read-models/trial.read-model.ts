import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { z } from 'zod';
import { SCORED_TRIAL_STATUSES, trialListOrder, type Direction, type TrialSortKey, type TrialStatus } from '@tuneforge/contracts';
import { CheckpointEntity, TrialEntity } from '../entities';
import { column, queryRows } from '../rows';
import { bestFirstOrder } from './best-first';

export interface TrialPageQuery {
  sort: TrialSortKey;
  order?: 'asc' | 'desc';
  status?: TrialStatus;
  limit: number;
  offset: number;
  /** Start after this trial of the same list (a keyset cursor): its number and, for `objective`, its value when that page was read. */
  after?: TrialPosition;
}

/** Where a page ended: the last trial's number and, for `objective`, the value it was ordered by. */
export interface TrialPosition {
  number: number;
  bestMetric?: number | null;
}

export interface TrialPage {
  trials: TrialEntity[];
  /** All trials of the list (with a status filter, counted; without one, the sweep's trialsCreated). */
  total: number;
  /** Whether trials follow the page. */
  more: boolean;
}

const SORT_COLUMNS = { objective: 'trial.bestMetric', number: 'trial.number', createdAt: 'trial.createdAt' } as const;

/**
 * One stretch of a list, read in index order: the rows `where` admits, ordered by `by` then by number.
 * A keyset page is a few stretches read one after the other until the page is full; each starts at its
 * bound in an index (ix_trials_sweep_best_metric_number, uq_trials_sweep_number, ix_trials_sweep_created_at),
 * so a page deep in a list costs what the first one does.
 */
interface Stretch {
  where: string;
  params?: Record<string, unknown>;
  by?: { column: string; order: 'ASC' | 'DESC' };
}

/**
 * The stretches after `after` (or from the start) of a list ordered by `sort` in `order`, ties by number,
 * trials without a value last. Descending values are read as the index's backward scan gives them (nulls
 * first, which no stretch holds) so that PostgreSQL only sorts ties by number.
 */
function stretchesOf(sort: TrialSortKey, order: 'ASC' | 'DESC', after: TrialPosition | undefined): Stretch[] {
  const column = SORT_COLUMNS[sort];
  const beyond = order === 'ASC' ? '>' : '<';
  const by = { column, order };
  if (sort === 'number') return [{ where: after ? `trial.number ${beyond} :afterNumber` : 'TRUE', params: { afterNumber: after?.number }, by }];
  const ties = { afterNumber: after?.number };
  if (sort === 'createdAt') {
    if (!after) return [{ where: 'TRUE', by }];
    // created_at never changes: the position is the cursor trial's own.
    const at = '(SELECT c.created_at FROM trials c WHERE c.sweep_id = trial.sweep_id AND c.number = :afterNumber)';
    return [
      { where: `trial.createdAt = ${at} AND trial.number > :afterNumber`, params: ties },
      { where: `trial.createdAt ${beyond} ${at}`, params: ties, by },
    ];
  }
  if (!after) return [{ where: `${column} IS NOT NULL`, by }, { where: `${column} IS NULL` }];
  if (after.bestMetric === null || after.bestMetric === undefined) return [{ where: `${column} IS NULL AND trial.number > :afterNumber`, params: ties }];
  const value = { afterValue: after.bestMetric, afterNumber: after.number };
  return [
    { where: `${column} = :afterValue AND trial.number > :afterNumber`, params: value },
    { where: `${column} ${beyond} :afterValue`, params: value, by },
    { where: `${column} IS NULL` },
  ];
}

/** Trials, their metric series and their checkpoints, as the API reads them. */
export class TrialReadModel {
  constructor(private readonly manager: EntityManager) {}

  async find(id: string): Promise<TrialEntity | undefined> {
    return (await this.manager.findOne(TrialEntity, { where: { id } })) ?? undefined;
  }

  /**
   * One page of a sweep's trials, `objective` order putting the best first for `direction` unless `order`
   * says otherwise. With `after`, the page after that trial, read in index order however deep it is
   * (keyset); with `offset`, PostgreSQL reads and skips every row before it.
   */
  async page(sweepId: string, direction: Direction, trialsCreated: number, query: TrialPageQuery): Promise<TrialPage> {
    const order = trialListOrder(query.sort, query.order, direction) === 'desc' ? 'DESC' : 'ASC';
    const wanted = query.limit + 1; // one more says whether another page follows
    const select = () => {
      const builder = this.manager.createQueryBuilder(TrialEntity, 'trial').where('trial.sweepId = :sweepId', { sweepId });
      return query.status ? builder.andWhere('trial.status = :status', { status: query.status }) : builder;
    };
    // Ties by number (a sort by number has none): TypeORM keeps one direction per column, so it is not added twice.
    const byNumber = (builder: SelectQueryBuilder<TrialEntity>) => (query.sort === 'number' ? builder : builder.addOrderBy('trial.number', 'ASC'));
    const trials: TrialEntity[] = [];
    if (query.offset > 0 && !query.after) {
      trials.push(...(await byNumber(select().orderBy(SORT_COLUMNS[query.sort], order, 'NULLS LAST')).skip(query.offset).take(wanted).getMany()));
    } else {
      for (const stretch of stretchesOf(query.sort, order, query.after)) {
        const builder = select().andWhere(stretch.where, stretch.params);
        if (stretch.by) builder.orderBy(stretch.by.column, stretch.by.order, stretch.by.order === 'ASC' ? 'NULLS LAST' : 'NULLS FIRST');
        trials.push(...(await byNumber(builder).take(wanted - trials.length).getMany()));
        if (trials.length === wanted) break;
      }
    }
    const total = query.status ? await select().getCount() : trialsCreated;
    return { trials: trials.slice(0, query.limit), total, more: trials.length > query.limit };
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
