import { BullModule, Processor } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TRIALS_QUEUE } from '@tuneforge/contracts';
import { databaseOptions, STORES_PROVIDER } from '@tuneforge/persistence';
import type { TrainingEngine } from '@tuneforge/training';
import { computeBackendProvider } from './compute-backend';
import { MetricWriter } from './metric-writer.service';
import { RungPeers } from './rung-peers.service';
import { TrialLedger } from './trial-ledger.service';
import { TrialProcessor } from './trial.processor';
import { TrialRunner } from './trial-runner.service';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config';
import { WorkerMetrics } from './worker-metrics.service';
import { WorkerRegistry } from './worker-registry.service';

/** The worker's composition root: no HTTP server, one BullMQ processor that trains trials. */
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig, engine: TrainingEngine): DynamicModule {
    Processor(TRIALS_QUEUE, {
      concurrency: config.concurrency,
      lockDuration: config.jobLockMs,
      stalledInterval: config.stalledCheckMs,
      maxStalledCount: 5,
    })(TrialProcessor);
    return {
      module: WorkerModule,
      imports: [
        TypeOrmModule.forRoot({ ...databaseOptions(config.databaseUrl, 'tuneforge-worker'), retryAttempts: 3, retryDelay: 1_000 }),
        BullModule.forRoot({ connection: { url: config.redisUrl, maxRetriesPerRequest: null }, prefix: config.queuePrefix }),
        BullModule.registerQueue({ name: TRIALS_QUEUE }),
      ],
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        STORES_PROVIDER,
        computeBackendProvider(engine),
        MetricWriter,
        TrialLedger,
        RungPeers,
        TrialRunner,
        TrialProcessor,
        WorkerRegistry,
        WorkerMetrics,
      ],
    };
  }
}
