import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { SweepSpecSchema } from '@tuneforge/contracts';
import { Stores, type RetentionResult } from '@tuneforge/persistence';

/** A sweep's retention pass runs at most once this often; the trial ends of that while share it. */
export const RETENTION_INTERVAL_MS = 1_000;

const NOTHING: RetentionResult = { checkpoints: 0, bytes: 0 };

/**
 * Checkpoint retention (`retention.keepCheckpointsOfBest` in the spec): finished trials outside the sweep's best N lose
 * their checkpoints (`CheckpointStore.dropOutsideBest`). It runs here, on the coordinator, not in the worker's batched
 * end statement (the bookkeeping hot path): a trial's job ending asks for a pass (`request`), coalesced per sweep to
 * one within RETENTION_INTERVAL_MS, and a sweep that completes or is cancelled gets one at once (`passLogged`).
 */
@Injectable()
export class CheckpointRetention implements OnModuleDestroy {
  private readonly logger = new Logger(CheckpointRetention.name);
  private readonly scheduled = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<RetentionResult>>();
  private closed = false;

  constructor(private readonly stores: Stores) {}

  /** A pass over the sweep within RETENTION_INTERVAL_MS; requests until it starts share it. */
  request(sweepId: string): void {
    if (this.closed || this.scheduled.has(sweepId)) return;
    const timer = setTimeout(() => {
      this.scheduled.delete(sweepId);
      void this.passLogged(sweepId);
    }, RETENTION_INTERVAL_MS);
    timer.unref();
    this.scheduled.set(sweepId, timer);
  }

  /** One pass now; a failure is logged (the sweep's next pass catches up), never thrown. */
  passLogged(sweepId: string): Promise<RetentionResult> {
    const pass = this.pass(sweepId)
      .catch((error: Error) => {
        this.logger.warn(`checkpoint retention of sweep ${sweepId} failed; its next pass catches up: ${error.message}`);
        return NOTHING;
      })
      .finally(() => this.running.delete(pass));
    this.running.add(pass);
    return pass;
  }

  /** Drops the checkpoints of the sweep's finished trials outside its best `keepCheckpointsOfBest`; answers what went. */
  async pass(sweepId: string): Promise<RetentionResult> {
    const sweep = await this.stores.sweeps.find(sweepId, ['spec']);
    if (!sweep) return NOTHING;
    // A sweep stored before the spec had `retention` gets the default.
    const { keepCheckpointsOfBest } = SweepSpecSchema.shape.retention.parse(sweep.spec.retention);
    const dropped = await this.stores.checkpoints.dropOutsideBest(sweepId, sweep.spec.objective.direction, keepCheckpointsOfBest);
    if (dropped.checkpoints > 0) this.logger.debug(`sweep ${sweepId}: dropped ${dropped.checkpoints} checkpoints (${dropped.bytes} bytes) outside its best ${keepCheckpointsOfBest} trials`);
    return dropped;
  }

  /** Runs the passes still waiting for their timer, and waits for those under way. */
  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    for (const [sweepId, timer] of this.scheduled) {
      clearTimeout(timer);
      void this.passLogged(sweepId);
    }
    this.scheduled.clear();
    await Promise.all(this.running);
  }
}
