import { Logger } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import { JobName, TRIALS_QUEUE, type JobOf, type TrialOutcome } from '@tuneforge/contracts';
import type { Stores, TrialRef } from '@tuneforge/persistence';
import { uniqueQueuePrefix, waitFor } from '@tuneforge/testing';
import { selectTrainingEngine, type TrainingEngine } from '@tuneforge/training';
import { MetricWriter } from '../../src/metric-writer.service';
import { RungPeers } from '../../src/rung-peers.service';
import { TrialLedger } from '../../src/trial-ledger.service';
import { TrialProcessor } from '../../src/trial.processor';
import { TrialRunner } from '../../src/trial-runner.service';
import { loadWorkerConfig, type WorkerConfig } from '../../src/worker.config';
import { WorkerMetrics } from '../../src/worker-metrics.service';
import { WorkerRegistry } from '../../src/worker-registry.service';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// Warnings of the services (say, PostgreSQL unreachable) are what some tests cause on purpose.
Logger.overrideLogger(['error']);

/** The worker's services as WorkerModule wires them (real config parsing, engine selection and stores), without Nest. */
export class WorkerServices {
  readonly metrics: MetricWriter;
  readonly ledger: TrialLedger;
  /** The Prometheus series (served by the health server in a worker process). */
  readonly workerMetrics: WorkerMetrics;
  readonly rungPeers: RungPeers;
  readonly runner: TrialRunner;
  readonly processor: TrialProcessor;
  /** Registers and heartbeats only once its onApplicationBootstrap is called. */
  readonly registry: WorkerRegistry;

  private constructor(
    readonly config: WorkerConfig,
    stores: Stores,
    readonly engine: TrainingEngine,
  ) {
    this.metrics = new MetricWriter(stores, config);
    this.ledger = new TrialLedger(stores, this.metrics, config, engine);
    this.workerMetrics = new WorkerMetrics(config, engine);
    this.rungPeers = new RungPeers(this.ledger, config, this.workerMetrics);
    this.runner = new TrialRunner(this.metrics, this.ledger, config, engine, this.workerMetrics, this.rungPeers);
    this.processor = new TrialProcessor(this.runner);
    this.registry = new WorkerRegistry(stores, this.runner, config, engine);
  }

  /** `env` is the worker's environment (WORKER_ID, METRICS_FLUSH_MS, SIMULATED_EPOCH_MS, ...); the database comes from `stores`. */
  static async create(stores: Stores, env: Record<string, string> = {}): Promise<WorkerServices> {
    const config = loadWorkerConfig({ REDIS_URL: TEST_REDIS_URL, WORKER_ID: 'test-worker', ...env });
    return new WorkerServices(config, stores, await selectTrainingEngine({ TF_BACKEND: 'cpu' }));
  }

  /** What the module's shutdown does to these services: the metric writer's last flush. */
  close(): Promise<void> {
    return this.metrics.onModuleDestroy();
  }
}

/**
 * The trial queue of the test file's own (a unique prefix) and a BullMQ worker that hands its jobs to a
 * TrialProcessor, as the worker process does; each finished job's outcome is kept by trial id.
 */
export class TrialQueue {
  readonly prefix: string;
  readonly queue: Queue<JobOf<typeof JobName.TrainTrial>>;
  private readonly workers: Worker[] = [];
  private readonly results = new Map<string, { outcome: TrialOutcome } | { failure: string }>();

  constructor(label: string) {
    this.prefix = uniqueQueuePrefix(label);
    this.queue = new Queue(TRIALS_QUEUE, { connection: { url: TEST_REDIS_URL }, prefix: this.prefix });
  }

  /** Adds the trial's job as the coordinator's dispatcher does (its id is the trial's). */
  async enqueue(trial: TrialRef): Promise<void> {
    await this.queue.add(JobName.TrainTrial, { sweepId: trial.sweepId, trialId: trial.id }, { jobId: trial.id });
  }

  /** Starts a BullMQ worker that runs the queue's jobs through `processor`. */
  process(processor: TrialProcessor, concurrency = 1): Worker {
    const worker = new Worker<JobOf<typeof JobName.TrainTrial>>(TRIALS_QUEUE, (job, token) => processor.process(job, token), {
      connection: { url: TEST_REDIS_URL, maxRetriesPerRequest: null },
      prefix: this.prefix,
      concurrency,
    });
    worker.on('completed', (job, result: { outcome: TrialOutcome }) => this.results.set(job.data.trialId, { outcome: result.outcome }));
    worker.on('failed', (job, error) => job && this.results.set(job.data.trialId, { failure: error.message }));
    this.workers.push(worker);
    return worker;
  }

  /** The outcome of the trial's job once it finished; throws if the job failed. */
  async outcomeOf(trialId: string, timeoutMs = 20_000): Promise<TrialOutcome> {
    const result = await waitFor(`the job of trial ${trialId} finishes`, async () => this.results.get(trialId), timeoutMs, 20);
    if ('failure' in result) throw new Error(`the job of trial ${trialId} failed: ${result.failure}`);
    return result.outcome;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    await this.queue.obliterate({ force: true }).catch(() => undefined);
    await this.queue.close();
  }
}
