import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource, In, type EntityManager } from 'typeorm';
import { ACTIVE_TRIAL_STATUSES, assignmentOf, searchDimensionsOf, trialConfigOf, type TrialConfig } from '@tuneforge/contracts';
import { activeOnly, type Assignment, type Observation } from '@tuneforge/search';
import { SweepEntity, TrialEntity } from '@tuneforge/persistence';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { TrialDispatcher, type TrialRef } from '../queue/trial-dispatcher.service';
import { TrialReconciler } from '../queue/trial-reconciler.service';
import { planOf } from './sweep-plan.factory';

const TRIALS_PER_INSERT = 1_000;

/**
 * Keeps each running sweep at `maxConcurrent` active trials until `plannedTrials` exist, and ends a
 * sweep once all of its trials have ended. Every decision happens under a row lock on the sweep, so
 * budgets stay exact however many coordinators or events race.
 */
@Injectable()
export class SweepScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SweepScheduler.name);
  private timer?: NodeJS.Timeout;
  private reconciling?: Promise<void>;
  private readonly pendingTopUps = new Map<string, { running: Promise<number>; queued?: Promise<number> }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly dispatcher: TrialDispatcher,
    private readonly reconciler: TrialReconciler,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.reconcile();
    this.timer = setInterval(() => void this.reconcile(), this.config.dispatchIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.reconciling;
  }

  /** Creates up to `count` next trials of a sweep inside the caller's transaction (the sweep row must be locked). */
  async createTrials(manager: EntityManager, sweep: SweepEntity, count: number): Promise<TrialRef[]> {
    const plan = planOf(sweep.spec, sweep.seed);
    const { observations, pending } = plan.needsHistory ? await this.history(manager, sweep) : { observations: [], pending: [] };
    const rows: { number: number; seed: number; config: TrialConfig }[] = [];
    for (let number = sweep.trialsCreated; number < sweep.trialsCreated + count; number++) {
      const planned = plan.suggest(number, observations, pending, sweep.spec.objective.direction);
      pending.push(planned.assignment);
      rows.push({ number, seed: planned.seed, config: trialConfigOf(sweep.spec, planned.assignment) });
    }
    const created: TrialRef[] = [];
    for (let start = 0; start < rows.length; start += TRIALS_PER_INSERT) {
      created.push(
        ...(await manager.query(
          `INSERT INTO trials (sweep_id, number, seed, config)
           SELECT $1, r.number, r.seed, r.config FROM jsonb_to_recordset($2::jsonb) AS r(number int, seed bigint, config jsonb)
           RETURNING id, sweep_id AS "sweepId"`,
          [sweep.id, JSON.stringify(rows.slice(start, start + TRIALS_PER_INSERT))],
        )),
      );
    }
    await manager.query(`UPDATE sweeps SET trials_created = trials_created + $2, updated_at = now() WHERE id = $1`, [sweep.id, count]);
    sweep.trialsCreated += count;
    return created;
  }

  /**
   * Coalesces top-up requests per sweep: while one top-up runs, requests that arrive meanwhile share
   * the single next run (which sees every slot freed so far), instead of queueing on the row lock.
   */
  requestTopUp(sweepId: string): Promise<number> {
    const pending = this.pendingTopUps.get(sweepId);
    if (pending?.queued) return pending.queued;
    const run = (): Promise<number> => this.topUp(sweepId);
    if (!pending) {
      const entry: { running: Promise<number>; queued?: Promise<number> } = { running: run() };
      this.pendingTopUps.set(sweepId, entry);
      const settle = (): void => {
        if (entry.queued) {
          entry.running = entry.queued;
          entry.queued = undefined;
          void entry.running.finally(settle);
        } else {
          this.pendingTopUps.delete(sweepId);
        }
      };
      void entry.running.finally(settle);
      return entry.running;
    }
    pending.queued = pending.running.catch(() => 0).then(run);
    return pending.queued;
  }

  /** What TPE learns from, read from PostgreSQL: finished trials with a result (its own and a warm start's), and its trials in flight. */
  private async history(manager: EntityManager, sweep: SweepEntity): Promise<{ observations: Observation[]; pending: Assignment[] }> {
    const space = searchDimensionsOf(sweep.spec);
    const keys = Object.keys(space);
    const sweepIds = sweep.spec.warmStartFrom ? [sweep.spec.warmStartFrom, sweep.id] : [sweep.id];
    const trials = await manager.find(TrialEntity, { where: { sweepId: In(sweepIds) }, select: ['sweepId', 'config', 'status', 'bestMetric'], order: { number: 'ASC' } });
    const observations: Observation[] = [];
    const pending: Assignment[] = [];
    for (const trial of trials) {
      const assignment = activeOnly(space, assignmentOf(trial.config, keys));
      if ((trial.status === 'completed' || trial.status === 'pruned') && trial.bestMetric !== null) observations.push({ assignment, value: trial.bestMetric });
      else if (trial.sweepId === sweep.id && (trial.status === 'queued' || trial.status === 'running')) pending.push(assignment);
    }
    return { observations, pending };
  }

  /** Fills a sweep's free slots with new trials and enqueues them; completes the sweep when it is done. */
  async topUp(sweepId: string): Promise<number> {
    const created = await this.dataSource.transaction(async (manager) => {
      const [sweep]: SweepEntity[] = await manager.query(
        `SELECT id, status, spec, seed::float8 AS seed, planned_trials AS "plannedTrials", trials_created AS "trialsCreated"
         FROM sweeps WHERE id = $1 FOR UPDATE`,
        [sweepId],
      );
      if (!sweep || sweep.status !== 'running') return [];
      // Counted after the lock is held: a statement that waited for the lock would count from its older snapshot.
      const [{ active }]: { active: number }[] = await manager.query(
        `SELECT count(*)::int AS active FROM trials WHERE sweep_id = $1 AND status = ANY($2::trial_status[])`,
        [sweepId, ACTIVE_TRIAL_STATUSES],
      );
      const sweepRoom = Math.min(sweep.spec.budget.maxConcurrent - active, sweep.plannedTrials - sweep.trialsCreated);
      // The deployment-wide count only matters when the sweep itself has room.
      const room = sweepRoom > 0 ? Math.min(sweepRoom, await this.deploymentRoom(manager)) : sweepRoom;
      if (room > 0) return this.createTrials(manager, sweep, room);
      if (active === 0 && sweep.trialsCreated >= sweep.plannedTrials) {
        await manager.update(SweepEntity, { id: sweepId }, { status: 'completed', finishedAt: new Date() });
        this.logger.log(`sweep ${sweepId} completed: all ${sweep.plannedTrials} trials ended`);
      }
      return [];
    });
    await this.enqueueOrDefer(created);
    return created.length;
  }

  /**
   * How many more trials the whole deployment may have active (MAX_ACTIVE_TRIALS). Sweeps topping up
   * at the same moment may together pass it by their batch sizes: a cap against runaway requests, not a quota.
   */
  async deploymentRoom(manager: EntityManager): Promise<number> {
    const [{ active }]: { active: number }[] = await manager.query(`SELECT count(*)::int AS active FROM trials WHERE status = ANY($1::trial_status[])`, [ACTIVE_TRIAL_STATUSES]);
    return Math.max(0, this.config.limits.maxActiveTrials - active);
  }

  /** Enqueues now; if Redis is down, the trials stay un-enqueued and the reconcile loop retries them. */
  async enqueueOrDefer(trials: readonly TrialRef[]): Promise<void> {
    if (trials.length === 0) return;
    try {
      await this.dispatcher.enqueue(trials);
    } catch (error) {
      this.logger.warn(`could not enqueue ${trials.length} trials now, will retry: ${(error as Error).message}`);
    }
  }

  /**
   * Catches up on what events may have missed and on what the queue lost: trials whose job is gone
   * (TrialReconciler), un-enqueued trials, and running sweeps with free slots or nothing left to run.
   */
  reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    try {
      await this.reconciler.repair(); // before the two steps below, which enqueue and top up what it repaired
      const enqueued = await this.dispatcher.enqueuePending();
      if (enqueued > 0) this.logger.log(`enqueued ${enqueued} trials that had no job yet`);
      const sweeps: { id: string }[] = await this.dataSource.query(
        `SELECT s.id FROM sweeps s
         CROSS JOIN LATERAL (SELECT count(*) AS n FROM trials t WHERE t.sweep_id = s.id AND t.status IN ('queued', 'running')) active
         WHERE s.status = 'running'
           AND ((s.trials_created < s.planned_trials AND active.n < (s.spec->'budget'->>'maxConcurrent')::int)
             OR (s.trials_created >= s.planned_trials AND active.n = 0))`,
      );
      for (const sweep of sweeps) await this.topUp(sweep.id);
    } catch (error) {
      this.logger.warn(`reconcile failed, will retry: ${(error as Error).message}`);
    }
  }
}
