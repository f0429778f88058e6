import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { assignmentOf, keyedNextRun, searchDimensionsOf, sweepEndOf, sweepRoom, trialConfigOf, type SweepEnd, type TrialConfig } from '@tuneforge/contracts';
import { withLogContext } from '@tuneforge/logging';
import { activeOnly, type Assignment, type HistoryWindow, type Observation } from '@tuneforge/search';
import { Stores, type NewTrial, type SweepEntity, type TrialRef } from '@tuneforge/persistence';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { Leadership } from '../leadership/leadership.service';
import { CoordinatorMetrics } from '../metrics/coordinator-metrics.service';
import { TrialDispatcher } from '../queue/trial-dispatcher.service';
import { TrialReconciler } from '../queue/trial-reconciler.service';
import { NotificationDispatcher } from '../webhooks/notification-dispatcher.service';
import { CheckpointRetention } from './checkpoint-retention.service';
import { planOf } from './sweep-plan.factory';

/**
 * Keeps each running sweep at `maxConcurrent` active trials until `plannedTrials` exist, and ends a
 * sweep once all of its trials have ended (`failed` when none has a result). Every decision happens
 * under a row lock on the sweep, so budgets stay exact however many coordinators or events race.
 */
@Injectable()
export class SweepScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SweepScheduler.name);
  private timer?: NodeJS.Timeout;
  private reconciling?: Promise<void>;

  constructor(
    private readonly stores: Stores,
    private readonly dispatcher: TrialDispatcher,
    private readonly reconciler: TrialReconciler,
    private readonly retention: CheckpointRetention,
    private readonly notifications: NotificationDispatcher,
    private readonly leadership: Leadership,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    private readonly metrics: CoordinatorMetrics,
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

  /** Creates up to `count` next trials of a sweep in the caller's transaction `tx` (the sweep row must be locked). */
  async createTrials(tx: Stores, sweep: SweepEntity, count: number): Promise<TrialRef[]> {
    const plan = planOf(sweep.spec, sweep.seed);
    const window = plan.historyWindow;
    const { observations, pending } = window ? await this.history(tx, sweep, window) : { observations: [], pending: [] };
    const trials: NewTrial[] = [];
    for (let number = sweep.trialsCreated; number < sweep.trialsCreated + count; number++) {
      const planned = plan.suggest(number, observations, pending, sweep.spec.objective.direction);
      pending.push(planned.assignment);
      trials.push({ number, seed: planned.seed, config: trialConfigOf(sweep.spec, planned.assignment) });
    }
    const created = await tx.trials.insertMany(sweep.id, trials);
    await tx.sweeps.addCreated(sweep.id, count);
    sweep.trialsCreated += count;
    return created;
  }

  /**
   * Coalesces top-up requests per sweep: while one top-up runs, requests that arrive meanwhile share
   * the single next run (which sees every slot freed so far), instead of queueing on the row lock.
   */
  readonly requestTopUp: (sweepId: string) => Promise<number> = keyedNextRun((sweepId: string) => this.topUp(sweepId));

  /** What TPE learns from, read from PostgreSQL once per top-up: the window of results (its own and a warm start's) and trials in flight its sampler names. */
  private async history(tx: Stores, sweep: SweepEntity, window: HistoryWindow): Promise<{ observations: Observation[]; pending: Assignment[] }> {
    const space = searchDimensionsOf(sweep.spec);
    const keys = Object.keys(space);
    const toAssignment = (config: TrialConfig) => activeOnly(space, assignmentOf(config, keys));
    const { results, pending } = await tx.trials.searchHistory({ sweepId: sweep.id, warmStartFrom: sweep.spec.warmStartFrom }, window, sweep.spec.objective.direction);
    return { observations: results.map((r) => ({ assignment: toAssignment(r.config), value: r.bestMetric })), pending: pending.map((p) => toAssignment(p.config)) };
  }

  /**
   * Fills a sweep's free slots with new trials and enqueues them; ends the sweep when it is done (`completed`, or
   * `failed` when no trial has a result) and runs its checkpoint retention. What happened to its trials since the
   * last top-up (failures, a new best) and its end become webhook notifications in the same transaction.
   */
  async topUp(sweepId: string): Promise<number> {
    const observeTopUp = this.metrics.topUpDuration.startTimer();
    const { created, end, notices } = await this.stores.transaction(async (tx) => {
      const sweep = await tx.sweeps.lock(sweepId);
      if (!sweep) return { created: [], notices: [] };
      const step = sweep.status === 'running' ? await this.fillOrEnd(tx, sweep) : { created: [] };
      const noticed = { id: sweep.id, projectId: sweep.projectId, direction: sweep.spec.objective.direction, plannedTrials: sweep.plannedTrials };
      return { ...step, notices: await tx.webhooks.recordNotices(noticed, step.end) };
    });
    await this.enqueueOrDefer(created);
    observeTopUp();
    await this.notifications.enqueueOrDefer(notices);
    if (end) await this.retention.passLogged(sweepId);
    return created.length;
  }

  /** Under the running sweep's row lock: its next trials, or its end once every planned trial exists and has ended. */
  private async fillOrEnd(tx: Stores, sweep: SweepEntity): Promise<{ created: TrialRef[]; end?: SweepEnd }> {
    // Counted after the lock is held: a statement that waited for the lock would count from its older snapshot.
    const activeTrials = await tx.trials.countActive(sweep.id);
    const { room: sweepRoomLeft, done } = sweepRoom({ maxConcurrent: sweep.spec.budget.maxConcurrent, plannedTrials: sweep.plannedTrials, trialsCreated: sweep.trialsCreated, activeTrials });
    // The deployment-wide count only matters when the sweep itself has room.
    const room = sweepRoomLeft > 0 ? Math.min(sweepRoomLeft, await this.deploymentRoom(tx)) : sweepRoomLeft;
    if (room > 0) return { created: await this.createTrials(tx, sweep, room) };
    if (!done) return { created: [] };
    const end = sweepEndOf(await tx.trials.outcomeCounts(sweep.id));
    await tx.sweeps.moveTo(sweep.id, end.status, end.reason);
    this.logger.log(`sweep ${sweep.id} ${end.status}: all ${sweep.plannedTrials} trials ended${end.reason ? `; ${end.reason}` : ''}`);
    return { created: [], end };
  }

  /**
   * How many more trials the whole deployment may have active (MAX_ACTIVE_TRIALS). Sweeps topping up
   * at the same moment may together pass it by their batch sizes: a cap against runaway requests, not a quota.
   */
  async deploymentRoom(tx: Stores): Promise<number> {
    return Math.max(0, this.config.limits.maxActiveTrials - (await tx.trials.countActive()));
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
   * (TrialReconciler), un-enqueued trials, and running sweeps with free slots or nothing left to run. Only the
   * leading replica runs it (Leadership); the others' passes only try to take the lead.
   */
  reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce().finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    if (!(await this.leadership.leads())) return;
    const observePass = this.metrics.reconcileDuration.startTimer();
    try {
      await this.reconciler.repair(); // before the two steps below, which enqueue and top up what it repaired
      const enqueued = await this.dispatcher.enqueuePending();
      if (enqueued > 0) this.logger.log(`enqueued ${enqueued} trials that had no job yet`);
      const sweeps = (await this.stores.sweeps.running()).filter((occupancy) => {
        const { room, done } = sweepRoom(occupancy);
        return room > 0 || done;
      });
      for (const sweep of sweeps) await withLogContext({ sweepId: sweep.id }, () => this.topUp(sweep.id));
      observePass();
    } catch (error) {
      this.logger.warn(`reconcile failed, will retry: ${(error as Error).message}`);
    }
  }
}
