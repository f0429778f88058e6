import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TRIALS_QUEUE } from '@tuneforge/contracts';
import { databaseOptions } from '@tuneforge/persistence';
import { WORKER_CONFIG, type WorkerConfig } from './worker.config';

/**
 * The worker's composition root (no HTTP server). It connects to PostgreSQL and the trial queue;
 * the trial processor that trains LSTMs is added by the training work (libs/training).
 */
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        TypeOrmModule.forRoot({ ...databaseOptions(config.databaseUrl, 'tuneforge-worker'), retryAttempts: 3, retryDelay: 1_000 }),
        BullModule.forRoot({ connection: { url: config.redisUrl, maxRetriesPerRequest: null }, prefix: config.queuePrefix }),
        BullModule.registerQueue({ name: TRIALS_QUEUE }),
      ],
      providers: [{ provide: WORKER_CONFIG, useValue: config }],
    };
  }
}
