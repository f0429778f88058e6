import { z } from 'zod';
import { DEFAULT_DATABASE_URL } from '@tuneforge/persistence';

const WorkerEnvSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('tuneforge'),
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
  const result = WorkerEnvSchema.safeParse(env);
  if (!result.success) {
    throw new Error(`invalid worker environment: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = result.data;
  return { databaseUrl: e.DATABASE_URL, redisUrl: e.REDIS_URL, queuePrefix: e.QUEUE_PREFIX, concurrency: e.WORKER_CONCURRENCY };
}
