import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Stores, upsertMetricPoints, type MetricPointInput } from '@tuneforge/persistence';
import { nextRun } from '@tuneforge/contracts';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config';

/**
 * Buffers metric points and writes them in batches on a timer, so training never waits for
 * PostgreSQL between epochs; `flush()` is awaited only before a checkpoint or a trial's end.
 */
@Injectable()
export class MetricWriter implements OnModuleDestroy {
  private readonly logger = new Logger(MetricWriter.name);
  private buffer: MetricPointInput[] = [];
  /** The write after the one in flight, shared by every flush() until it starts. */
  private readonly write = nextRun(() => this.writeBuffered());
  private readonly timer: NodeJS.Timeout;
  /** The timer's writes keep failing (PostgreSQL away): said once, and again when they work. */
  private failing = false;

  constructor(
    private readonly stores: Stores,
    @Inject(WORKER_CONFIG) config: WorkerConfig,
  ) {
    this.timer = setInterval(() => void this.flushOnTimer(), config.metricsFlushMs);
    this.timer.unref();
  }

  /** Buffers one epoch's metrics of a run; `attempt` fences them (a superseded run's points are dropped when written). */
  add(sweepId: string, trialId: string, attempt: number, epoch: number, metrics: Record<string, number>): void {
    for (const [name, value] of Object.entries(metrics)) {
      if (Number.isFinite(value)) this.buffer.push({ sweepId, trialId, attempt, epoch, name, value });
    }
  }

  /**
   * Writes everything added so far; failed points go back to the buffer and the error is thrown.
   * Callers that arrive while a write is in flight share the one write after it, so many trials
   * ending at once cost two writes, not one each in a row.
   */
  flush(): Promise<void> {
    return this.write();
  }

  private async writeBuffered(): Promise<void> {
    if (this.buffer.length === 0) return;
    const points = this.buffer;
    this.buffer = [];
    try {
      await upsertMetricPoints(this.stores.manager, points);
    } catch (error) {
      this.buffer = points.concat(this.buffer);
      throw error;
    }
  }

  private async flushOnTimer(): Promise<void> {
    try {
      await this.flush();
      if (this.failing) this.logger.log('metric writes work again');
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.logger.warn(`metric write failed, retrying every flush until it works: ${(error as Error).message}`);
      this.failing = true;
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch((error: Error) => this.logger.warn(`metrics lost at shutdown: ${error.message}`));
  }
}
