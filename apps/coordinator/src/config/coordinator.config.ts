import { z } from 'zod';
import { DEFAULT_DATABASE_URL } from '@tuneforge/persistence';

const CoordinatorEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('tuneforge'),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(1024 * 1024),
  DISPATCH_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
});

export interface CoordinatorConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  maxBodyBytes: number;
  /** How often queued-but-unenqueued trials and sweeps with free slots are looked for. */
  dispatchIntervalMs: number;
}

export const COORDINATOR_CONFIG = Symbol('COORDINATOR_CONFIG');

/** Reads the coordinator's environment once at start-up; a bad value stops it with the variable's name. */
export function loadCoordinatorConfig(env: NodeJS.ProcessEnv = process.env): CoordinatorConfig {
  const result = CoordinatorEnvSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid coordinator environment: ${problems}`);
  }
  const e = result.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    maxBodyBytes: e.MAX_BODY_BYTES,
    dispatchIntervalMs: e.DISPATCH_INTERVAL_MS,
  };
}
