import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  isActiveSweep,
  MAX_SEED,
  parseSweepSpec,
  SpecValidationError,
  type Budget,
  type CancelSweepResultDto,
  type SweepDto,
  type SweepSpec,
  type UpdateSweep,
  type ValidationIssue,
} from '@tuneforge/contracts';
import { Stores, type SweepEntity, type TrialRef } from '@tuneforge/persistence';
import { ConflictError, NotFoundError, quotedIds, RequestValidationError, ServiceUnavailableError } from '../common/domain-errors';
import { isUuid } from '../common/query';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';
import { DatasetsService } from '../datasets/datasets.service';
import { RedisProbe } from '../health/redis-probe.service';
import { TrialDispatcher } from '../queue/trial-dispatcher.service';
import { CheckpointRetention } from './checkpoint-retention.service';
import { planOf } from './sweep-plan.factory';
import { SweepReads } from './sweep-reads.service';
import { SweepScheduler } from './sweep-scheduler.service';

export interface CreateSweepResult {
  sweep: SweepDto;
  /** false when an Idempotency-Key named a sweep that already existed. */
  created: boolean;
}

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class SweepsService {
  private readonly logger = new Logger(SweepsService.name);

  constructor(
    private readonly stores: Stores,
    private readonly scheduler: SweepScheduler,
    private readonly dispatcher: TrialDispatcher,
    private readonly reads: SweepReads,
    private readonly redis: RedisProbe,
    private readonly datasets: DatasetsService,
    private readonly retention: CheckpointRetention,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  /**
   * Validates the spec, writes the sweep and its first trials in one transaction, then enqueues them.
   * With an idempotency key, a repeated request returns the sweep the first one made.
   */
  async create(body: unknown, projectId: string, idempotencyKey?: string): Promise<CreateSweepResult> {
    const parsed = parseSweepSpec(body);
    const overLimits = this.budgetLimitIssues(parsed.budget);
    if (overLimits.length > 0) throw new SpecValidationError(overLimits);
    const seed = parsed.seed ?? randomInt(0, MAX_SEED);
    const spec: SweepSpec = { ...parsed, seed };
    const plan = planOf(spec, seed);
    await this.datasets.checkSweepDataset(spec, projectId);
    await this.checkWarmStart(spec, projectId);

    if (idempotencyKey) {
      const existing = await this.findByIdempotencyKey(idempotencyKey, parsed, projectId);
      if (existing) return { sweep: existing, created: false };
    }
    await this.redis.ping().catch((error: Error) => {
      throw new ServiceUnavailableError('QUEUE_UNAVAILABLE', `the trial queue (Redis) is unavailable, nothing was created: ${error.message}`);
    });

    let trials: TrialRef[];
    let sweepId: string;
    try {
      [sweepId, trials] = await this.stores.transaction(async (tx) => {
        await this.holdWhatItNames(tx, spec);
        const sweep = await tx.sweeps.insert({ projectId, name: spec.name, spec, seed, plannedTrials: plan.totalTrials, idempotencyKey: idempotencyKey ?? null });
        // MAX_ACTIVE_TRIALS holds for a new sweep's first trials too; the reconcile loop tops it up once others end.
        const first = await this.scheduler.createTrials(tx, sweep, Math.min(spec.budget.maxConcurrent, plan.totalTrials, await this.scheduler.deploymentRoom(tx)));
        return [sweep.id, first] as const;
      });
    } catch (error) {
      const existing = idempotencyKey && (error as { code?: string }).code === UNIQUE_VIOLATION ? await this.findByIdempotencyKey(idempotencyKey, parsed, projectId) : undefined;
      if (existing) return { sweep: existing, created: false };
      throw error;
    }
    await this.scheduler.enqueueOrDefer(trials);
    this.logger.log(`sweep ${sweepId} '${spec.name}': ${plan.totalTrials} trials planned, ${trials.length} queued`);
    return { sweep: await this.reads.get(sweepId), created: true };
  }

  /** Cancels a running sweep: its queued and running trials become `cancelled`, waiting jobs leave the queue. */
  async cancel(id: string): Promise<CancelSweepResultDto> {
    const trials = await this.stores.transaction(async (tx) => {
      const sweep = await this.lockSweep(tx, id);
      if (!isActiveSweep(sweep.status)) throw new ConflictError('SWEEP_ALREADY_ENDED', `sweep '${id}' is already ${sweep.status}`);
      const cancelled = await tx.trials.cancelActiveOfSweep(id, 'sweep cancelled');
      await tx.sweeps.moveTo(id, 'cancelled');
      return cancelled;
    });
    const removedJobs = await this.dispatcher.removeJobs(trials.wereQueued).catch((error: Error) => {
      // The trials are cancelled in PostgreSQL already; a worker that later takes a leftover job skips it.
      this.logger.warn(`sweep ${id} cancelled, but its waiting jobs could not be removed: ${error.message}`);
      return 0;
    });
    // Its cancelled trials are finished: those outside the best N lose their checkpoints now.
    await this.retention.passLogged(id);
    return { sweep: await this.reads.get(id), cancelledTrials: trials.cancelled.length, removedJobs };
  }

  /**
   * Deletes a sweep that has ended, with everything it owns: its trials with their events, metric points and
   * checkpoints, its idempotency key, and its trials' jobs still in the queue. One transaction with the sweep row
   * locked, so a resume or a PATCH cannot race it; the jobs go first, inside it, so with Redis down nothing is deleted.
   * Refused while the sweep is running or paused, and while a running or paused sweep warm-starts from it.
   */
  async delete(id: string): Promise<void> {
    await this.stores.transaction(async (tx) => {
      const sweep = await this.lockSweep(tx, id);
      if (isActiveSweep(sweep.status)) throw new ConflictError('SWEEP_ACTIVE', `sweep '${id}' is ${sweep.status}; cancel it before deleting it`);
      const warmStarted = await tx.sweeps.liveWarmStartingFrom(id);
      if (warmStarted.length > 0) {
        throw new ConflictError('SWEEP_IN_USE', `sweep '${id}' is the warm start of live sweeps ${quotedIds(warmStarted)}; cancel them or let them end before deleting it`);
      }
      await this.dispatcher.removeJobs(await tx.trials.idsOfSweep(id)).catch((error: Error) => {
        throw new ServiceUnavailableError('QUEUE_UNAVAILABLE', `the trial queue (Redis) is unavailable, nothing was deleted: ${error.message}`);
      });
      await tx.sweeps.delete(id);
    });
    this.logger.log(`sweep ${id} deleted`);
  }

  /** No new trials start: waiting jobs leave the queue (their trials stay queued), running trials finish. */
  async pause(id: string): Promise<SweepDto> {
    const queuedIds = await this.stores.transaction(async (tx) => {
      const sweep = await this.lockSweep(tx, id);
      if (sweep.status !== 'running') throw new ConflictError('SWEEP_NOT_RUNNING', `sweep '${id}' is ${sweep.status}; only a running sweep can be paused`);
      await tx.sweeps.moveTo(id, 'paused');
      return tx.trials.queuedOfSweep(id);
    });
    for (const trialId of queuedIds) {
      // A job a worker already holds cannot be removed: that trial runs and finishes.
      if ((await this.dispatcher.removeJobs([trialId])) > 0) await this.stores.trials.markNotEnqueued(trialId);
    }
    return this.reads.get(id);
  }

  async resume(id: string): Promise<SweepDto> {
    await this.stores.transaction(async (tx) => {
      const sweep = await this.lockSweep(tx, id);
      if (sweep.status !== 'paused') throw new ConflictError('SWEEP_NOT_PAUSED', `sweep '${id}' is ${sweep.status}; only a paused sweep can be resumed`);
      await tx.sweeps.moveTo(id, 'running');
    });
    await this.dispatcher.enqueuePending().catch((error: Error) => this.logger.warn(`re-enqueue after resume deferred: ${error.message}`));
    await this.scheduler.requestTopUp(id);
    return this.reads.get(id);
  }

  /**
   * Changes maxTrials and/or maxConcurrent. maxTrials below the trials already created is a conflict;
   * a grid cannot grow past its points. A finished (completed) sweep given more trials runs again.
   */
  async update(id: string, patch: UpdateSweep): Promise<SweepDto> {
    const overLimits = this.budgetLimitIssues(patch);
    if (overLimits.length > 0) throw new RequestValidationError(overLimits);
    await this.stores.transaction(async (tx) => {
      const sweep = await this.lockSweep(tx, id);
      if (sweep.status === 'cancelled' || sweep.status === 'failed') throw new ConflictError('SWEEP_BUDGET_FROZEN', `sweep '${id}' is ${sweep.status}; its budget cannot change`);
      const budget = { ...sweep.spec.budget, ...patch };
      if (budget.maxTrials < sweep.trialsCreated) {
        throw new ConflictError('BUDGET_BELOW_CREATED', `maxTrials ${budget.maxTrials} is below the ${sweep.trialsCreated} trials this sweep has already created`);
      }
      const spec = { ...sweep.spec, budget };
      const plan = planOf(spec, sweep.seed);
      const reopen = sweep.status === 'completed' && plan.totalTrials > sweep.trialsCreated;
      await tx.sweeps.updateBudget(id, spec, plan.totalTrials);
      if (reopen) await tx.sweeps.moveTo(id, 'running');
    });
    await this.scheduler.requestTopUp(id);
    return this.reads.get(id);
  }

  /**
   * What one sweep may ask for on this coordinator (MAX_CONCURRENT_PER_SWEEP, MAX_TRIALS_PER_SWEEP):
   * each trial is a row and, while active, a job in Redis. Checks the fields given.
   */
  private budgetLimitIssues(budget: Partial<Pick<Budget, 'maxTrials' | 'maxConcurrent'>>): ValidationIssue[] {
    const { maxConcurrentPerSweep, maxTrialsPerSweep } = this.config.limits;
    const issues: ValidationIssue[] = [];
    if (budget.maxConcurrent !== undefined && budget.maxConcurrent > maxConcurrentPerSweep) {
      issues.push({
        path: 'budget.maxConcurrent',
        message: `${budget.maxConcurrent} is above this coordinator's limit of ${maxConcurrentPerSweep} trials at once per sweep (MAX_CONCURRENT_PER_SWEEP raises it)`,
      });
    }
    if (budget.maxTrials !== undefined && budget.maxTrials > maxTrialsPerSweep) {
      issues.push({
        path: 'budget.maxTrials',
        message: `${budget.maxTrials} is above this coordinator's limit of ${maxTrialsPerSweep} trials per sweep (MAX_TRIALS_PER_SWEEP raises it)`,
      });
    }
    return issues;
  }

  /** A warm start must name an existing sweep of the same project with the same objective. */
  private async checkWarmStart(spec: SweepSpec, projectId: string): Promise<void> {
    if (!spec.warmStartFrom) return;
    const source = await this.stores.sweeps.find(spec.warmStartFrom, ['id', 'spec', 'projectId']);
    if (!source || source.projectId !== projectId) throw new SpecValidationError([{ path: 'warmStartFrom', message: `no sweep '${spec.warmStartFrom}'` }]);
    const a = source.spec.objective;
    const b = spec.objective;
    if (a.metric !== b.metric || a.direction !== b.direction) {
      throw new SpecValidationError([{ path: 'warmStartFrom', message: `sweep '${source.id}' optimised ${a.metric} (${a.direction}); this one ${b.metric} (${b.direction})` }]);
    }
  }

  /**
   * Holds the uploaded dataset and the warm-start sweep the spec names for the creating transaction, so that a delete
   * of either waits for it and then sees the new sweep (and refuses); one deleted since the checks above is a 400.
   */
  private async holdWhatItNames(tx: Stores, spec: SweepSpec): Promise<void> {
    if (spec.dataset.source === 'upload' && !(await tx.datasets.holdForSweep(spec.dataset.id))) {
      throw new SpecValidationError([{ path: 'dataset.id', message: `no uploaded dataset '${spec.dataset.id}' (it was deleted)` }]);
    }
    if (spec.warmStartFrom && !(await tx.sweeps.holdForWarmStart(spec.warmStartFrom))) {
      throw new SpecValidationError([{ path: 'warmStartFrom', message: `no sweep '${spec.warmStartFrom}' (it was deleted)` }]);
    }
  }

  private async lockSweep(tx: Stores, id: string): Promise<SweepEntity> {
    const sweep = isUuid(id) ? await tx.sweeps.lock(id) : undefined;
    if (!sweep) throw new NotFoundError('SWEEP_NOT_FOUND', 'sweep', id);
    return sweep;
  }

  private async findByIdempotencyKey(key: string, spec: SweepSpec, projectId: string): Promise<SweepDto | undefined> {
    const existing = await this.stores.sweeps.findByIdempotencyKey(key);
    if (!existing) return undefined;
    // Keys are unique over the deployment; another project's sweep is not named.
    if (existing.projectId !== projectId) throw new ConflictError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key '${key}' was already used`);
    const { seed: storedSeed, ...stored } = existing.spec;
    const { seed: requestedSeed, ...requested } = spec;
    if (!isDeepStrictEqual(stored, requested) || (requestedSeed !== undefined && requestedSeed !== storedSeed)) {
      throw new ConflictError('IDEMPOTENCY_KEY_REUSED', `Idempotency-Key '${key}' was already used for a different sweep spec (sweep '${existing.id}')`);
    }
    return this.reads.get(existing.id);
  }
}
