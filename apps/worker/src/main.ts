import 'reflect-metadata';
import { getQueueToken } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { TRIALS_QUEUE } from '@tuneforge/contracts';
import { loadWorkerConfig } from './worker.config';
import { WorkerModule } from './worker.module';

/**
 * Until the trial processor lands, the worker checks its connections, says what is waiting and exits
 * with status 3 (EX_NOT_IMPLEMENTED here) instead of taking jobs it cannot train.
 */
async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error', 'warn', 'log'] });
  app.enableShutdownHooks();
  const queue = app.get<Queue>(getQueueToken(TRIALS_QUEUE));
  const [{ queued }] = await app.get(DataSource).query(`SELECT count(*)::int AS queued FROM trials WHERE status = 'queued'`);
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed');
  Logger.log(`connected: ${queued} queued trials in PostgreSQL; queue '${config.queuePrefix}:${TRIALS_QUEUE}' has ${JSON.stringify(counts)}`, 'Worker');
  Logger.warn('this worker does not train yet: the LSTM trial processor (libs/training) is not built, so it takes no jobs', 'Worker');
  await app.close();
  process.exitCode = 3;
}

main().catch((error: unknown) => {
  console.error(`worker failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
