import { z } from 'zod';
import { connectionEnvShape, parseEnv } from '@tuneforge/contracts';
import { DEFAULT_DATABASE_URL } from '@tuneforge/persistence';

const WorkerEnvSchema = z.object({
  ...connectionEnvShape(DEFAULT_DATABASE_URL),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
});

export interface WorkerConfig {
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  concurrency: number;
}

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

/** Reads the worker's environment once at start-up; a bad value stops it with the variable's name. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const e = parseEnv(WorkerEnvSchema, env, 'worker');
  return { databaseUrl: e.DATABASE_URL, redisUrl: e.REDIS_URL, queuePrefix: e.QUEUE_PREFIX, concurrency: e.WORKER_CONCURRENCY };
}
