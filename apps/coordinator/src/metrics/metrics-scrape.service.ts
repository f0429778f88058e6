import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { SWEEP_STATUSES, TRIAL_STATUSES, TRIALS_QUEUE } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { withTimeout } from '../health/redis-probe.service';
import type { TrialJobQueue } from '../queue/trial-dispatcher.service';
import { TrialReconciler } from '../queue/trial-reconciler.service';
import { CoordinatorMetrics } from './coordinator-metrics.service';
import { StatusTotalsReader } from './status-totals';

/** The queue's job states a scrape reports (BullMQ's names). */
const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
/** A scrape waits this long for PostgreSQL and for Redis, then answers without their series. */
const SOURCE_TIMEOUT_MS = 2_000;

/**
 * GET /metrics: the registry's text, after reading what lives in PostgreSQL and Redis (sweeps and trials by
 * status, stranded trials, the queue's job counts). A source that fails or is slow leaves its series out and
 * reports itself down (`tuneforge_scrape_source_up`), so an outage still scrapes the process's own series.
 * Scrapes arriving together share one read.
 */
@Injectable()
export class MetricsScrape {
  private readonly logger = new Logger(MetricsScrape.name);
  private readonly totals = new StatusTotalsReader();
  private reading?: Promise<void>;
  private readonly down = new Set<'postgresql' | 'redis'>();
  private readonly sweeps: Gauge<'status'>;
  private readonly trials: Gauge<'status'>;
  private readonly stranded: Gauge;
  private readonly queueJobs: Gauge<'state'>;
  private readonly sourceUp: Gauge<'source'>;

  constructor(
    private readonly metrics: CoordinatorMetrics,
    private readonly stores: Stores,
    private readonly reconciler: TrialReconciler,
    @InjectQueue(TRIALS_QUEUE) private readonly queue: TrialJobQueue,
  ) {
    const registers = [metrics.registry];
    this.sweeps = new Gauge({ name: 'tuneforge_sweeps', help: 'Sweeps by status', labelNames: ['status'], registers });
    this.trials = new Gauge({ name: 'tuneforge_trials', help: 'Trials by status', labelNames: ['status'], registers });
    this.stranded = new Gauge({
      name: 'tuneforge_trials_stranded',
      help: 'Trials queued in a running sweep without a job, or running with no live worker, for longer than STRANDED_AFTER_MS (as /health reports)',
      registers,
    });
    this.queueJobs = new Gauge({ name: 'tuneforge_trial_queue_jobs', help: "The trial queue's jobs by state (BullMQ)", labelNames: ['state'], registers });
    this.sourceUp = new Gauge({ name: 'tuneforge_scrape_source_up', help: 'Whether this scrape could read its source (postgresql, redis); 0: its series are left out', labelNames: ['source'], registers });
  }

  get contentType(): string {
    return this.metrics.registry.contentType;
  }

  async text(): Promise<string> {
    this.reading ??= this.readSources().finally(() => (this.reading = undefined));
    await this.reading;
    return this.metrics.registry.metrics();
  }

  private async readSources(): Promise<void> {
    await Promise.all([this.readPostgres(), this.readRedis()]);
  }

  private async readPostgres(): Promise<void> {
    try {
      const [totals, stranded] = await withTimeout(
        Promise.all([this.totals.read(this.stores), this.reconciler.stranded()]),
        SOURCE_TIMEOUT_MS,
        `PostgreSQL did not answer within ${SOURCE_TIMEOUT_MS} ms`,
      );
      for (const status of SWEEP_STATUSES) this.sweeps.set({ status }, totals.sweeps[status]);
      for (const status of TRIAL_STATUSES) this.trials.set({ status }, totals.trials[status]);
      this.stranded.set(stranded);
      this.noteSource('postgresql');
    } catch (error) {
      this.sweeps.reset();
      this.trials.reset();
      this.stranded.remove();
      this.noteSource('postgresql', error as Error);
    }
  }

  private async readRedis(): Promise<void> {
    try {
      const counts = await withTimeout(this.queue.getJobCounts(...QUEUE_STATES), SOURCE_TIMEOUT_MS, `Redis did not answer within ${SOURCE_TIMEOUT_MS} ms`);
      for (const state of QUEUE_STATES) this.queueJobs.set({ state }, counts[state] ?? 0);
      this.noteSource('redis');
    } catch (error) {
      this.queueJobs.reset();
      this.noteSource('redis', error as Error);
    }
  }

  /** Sets the source's up series; logs when it goes down and when it is back, not at every scrape. */
  private noteSource(source: 'postgresql' | 'redis', error?: Error): void {
    const wasDown = this.down.has(source);
    this.sourceUp.set({ source }, error ? 0 : 1);
    if (error && !wasDown) this.logger.warn(`metrics scrapes leave out ${source}'s series until it answers: ${error.message}`);
    if (!error && wasDown) this.logger.log(`metrics scrapes read ${source} again`);
    if (error) this.down.add(source);
    else this.down.delete(source);
  }
}
