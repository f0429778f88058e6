import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { ACTIVE_SWEEP_STATUSES, ACTIVE_TRIAL_STATUSES, isActiveSweep, sweepStatusesThatMayBecome, type SweepOccupancy, type SweepSpec, type SweepStatus } from '@tuneforge/contracts';
import { SweepEntity } from '../entities';
import { holdForReference } from '../row-locks';
import { column, queryRows, rowsChanged } from '../rows';

export type NewSweep = Pick<SweepEntity, 'name' | 'spec' | 'seed' | 'plannedTrials' | 'idempotencyKey'> & { projectId?: string };

/** A status change the lifecycle (`@tuneforge/contracts` SWEEP_TRANSITIONS) does not allow from the sweep's status. */
export class SweepTransitionRefusedError extends Error {
  constructor(
    readonly sweepId: string,
    readonly to: SweepStatus,
  ) {
    super(`sweep '${sweepId}' cannot become ${to} from its current status`);
  }
}

/**
 * Every statement that writes a sweep. Status changes go through `moveTo`, which allows only the
 * lifecycle's transitions, sets `updated_at` and keeps `finished_at` (set on an end, cleared on a reopen).
 */
export class SweepStore {
  constructor(private readonly manager: EntityManager) {}

  /** A new running sweep with no trials yet. */
  insert(sweep: NewSweep): Promise<SweepEntity> {
    return this.manager.save(this.manager.create(SweepEntity, { ...sweep, status: 'running', trialsCreated: 0 }));
  }

  async find<K extends keyof SweepEntity>(id: string, select?: K[]): Promise<Pick<SweepEntity, K> | undefined> {
    return (await this.manager.findOne(SweepEntity, { where: { id }, select })) ?? undefined;
  }

  async findByIdempotencyKey(key: string): Promise<SweepEntity | undefined> {
    return (await this.manager.findOne(SweepEntity, { where: { idempotencyKey: key } })) ?? undefined;
  }

  /** Locks the sweep's row for the caller's transaction: every decision about its trials and budget happens under it. */
  async lock(id: string): Promise<SweepEntity | undefined> {
    return (await this.manager.findOne(SweepEntity, { where: { id }, lock: { mode: 'pessimistic_write' } })) ?? undefined;
  }

  /** Holds the sweep for one that warm-starts from it, in the caller's transaction (`holdForReference`); false when it is gone. */
  holdForWarmStart(id: string): Promise<boolean> {
    return holdForReference(this.manager, 'sweeps', id);
  }

  /** The running or paused sweeps that warm-start from this one (TPE reads its trials while they create theirs). */
  liveWarmStartingFrom(id: string): Promise<string[]> {
    return this.liveWhereSpec(['warmStartFrom'], id);
  }

  /** The running or paused sweeps on this uploaded dataset (their trials read it when they start). */
  liveOnDataset(datasetId: string): Promise<string[]> {
    return this.liveWhereSpec(['dataset', 'id'], datasetId);
  }

  /**
   * Deletes the sweep and everything it owns, in the caller's transaction with its row locked: its trials (with their
   * events and its idempotency key, which are columns), and through the foreign keys' cascades their metric points and
   * checkpoints. Returns whether it existed.
   */
  async delete(id: string): Promise<boolean> {
    return (await rowsChanged(this.manager, `DELETE FROM sweeps WHERE id = $1`, [id])) > 0;
  }

  private async liveWhereSpec(path: readonly string[], value: string): Promise<string[]> {
    const rows = await queryRows(
      this.manager,
      z.object({ id: column.id }),
      `SELECT id FROM sweeps WHERE status = ANY($1::sweep_status[]) AND spec #>> $2::text[] = $3 ORDER BY created_at`,
      [ACTIVE_SWEEP_STATUSES, path, value],
    );
    return rows.map((r) => r.id);
  }

  /** Counts trials just created by the caller (with the row locked). */
  async addCreated(id: string, count: number): Promise<void> {
    await this.manager.query(`UPDATE sweeps SET trials_created = trials_created + $2, updated_at = now() WHERE id = $1`, [id, count]);
  }

  /** Moves the sweep to `to`, with why (a failed sweep's reason; none clears it); throws SweepTransitionRefusedError when its status does not allow it. */
  async moveTo(id: string, to: SweepStatus, reason: string | null = null): Promise<void> {
    const finishedAt = isActiveSweep(to) ? 'NULL' : 'now()';
    const changed = await rowsChanged(
      this.manager,
      `UPDATE sweeps SET status = $2, status_reason = $4, finished_at = ${finishedAt}, updated_at = now() WHERE id = $1 AND status = ANY($3::sweep_status[])`,
      [id, to, sweepStatusesThatMayBecome(to), reason],
    );
    if (changed === 0) throw new SweepTransitionRefusedError(id, to);
  }

  /** A new budget (maxTrials, maxConcurrent) and the number of trials it plans. */
  async updateBudget(id: string, spec: SweepSpec, plannedTrials: number): Promise<void> {
    await this.manager.update(SweepEntity, { id }, { spec, plannedTrials });
  }

  /** Running sweeps with their budgets and active trials, to find the ones to top up or complete (`sweepRoom`). */
  running(): Promise<({ id: string } & SweepOccupancy)[]> {
    return queryRows(
      this.manager,
      z.object({ id: column.id, maxConcurrent: column.int, plannedTrials: column.int, trialsCreated: column.int, activeTrials: column.int }),
      `SELECT s.id, (s.spec->'budget'->>'maxConcurrent')::int AS "maxConcurrent", s.planned_trials AS "plannedTrials",
              s.trials_created AS "trialsCreated", active.n AS "activeTrials"
       FROM sweeps s CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM trials t WHERE t.sweep_id = s.id AND t.status = ANY($1::trial_status[])) active
       WHERE s.status = 'running'`,
      [ACTIVE_TRIAL_STATUSES],
    );
  }
}
