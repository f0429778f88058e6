import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { LeaderLock } from '@tuneforge/persistence';
import { COORDINATOR_CONFIG, type CoordinatorConfig } from '../config/coordinator.config';

/**
 * Which of the coordinator replicas sharing a database runs the periodic reconcile pass (SweepScheduler.reconcile):
 * the holder of one PostgreSQL advisory lock (LeaderLock), asked at the top of every pass, so a follower tries to
 * take over every DISPATCH_INTERVAL_MS and a leader checks that it still holds the lock. A killed leader's lock goes
 * with its session; one that loses its connection steps down at its next pass. Leadership saves the followers the
 * pass's work and their races; it is not what keeps the pass correct (its repairs are conditional and its top-ups row
 * locked), so the moment two replicas both believe they lead costs nothing. Everything else runs on every replica.
 */
@Injectable()
export class Leadership implements OnModuleDestroy {
  private readonly logger = new Logger(Leadership.name);
  private readonly lock: LeaderLock;
  private unreachable = false;

  constructor(@Inject(COORDINATOR_CONFIG) config: CoordinatorConfig) {
    this.lock = new LeaderLock(config.databaseUrl, 'tuneforge-coordinator-leader');
  }

  /** Whether this replica led as of its last pass (what /health reports). */
  get isLeader(): boolean {
    return this.lock.isHeld;
  }

  /** Whether this replica leads now: takes the lock if it is free, or confirms it still holds it. Never throws. */
  async leads(): Promise<boolean> {
    const was = this.lock.isHeld;
    try {
      await this.lock.holdOrTake();
      this.unreachable = false;
    } catch (error) {
      if (!this.unreachable) this.logger.warn(`the leader lock's connection failed (${(error as Error).message}); this replica leads nothing until PostgreSQL answers it again`);
      this.unreachable = true;
    }
    const now = this.lock.isHeld;
    if (now && !was) this.logger.log('this replica now leads: it runs the reconcile pass');
    if (was && !now) this.logger.warn('this replica no longer leads (its leader lock session was lost); another replica takes over the reconcile pass');
    return now;
  }

  onModuleDestroy(): Promise<void> {
    return this.lock.release();
  }
}
