import { z } from 'zod';
import { connectionEnvShape, logLevelsUpTo, parseEnv, type LogLevelName } from '@tuneforge/contracts';
import { DEFAULT_DATABASE_URL } from '@tuneforge/persistence';

const CoordinatorEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  ...connectionEnvShape(DEFAULT_DATABASE_URL),
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(1024 * 1024),
  DISPATCH_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  EVENTS_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  EVENTS_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  DASHBOARD_DIR: z.string().min(1).optional(),
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
  /** How often the SSE change feed reads PostgreSQL while someone listens, and how often it sends a heartbeat. */
  eventsPollMs: number;
  eventsHeartbeatMs: number;
  /** The dashboard's build (index.html and assets); apps/dashboard/dist when unset. */
  dashboardDir?: string;
  logLevels: LogLevelName[];
}

export const COORDINATOR_CONFIG = Symbol('COORDINATOR_CONFIG');

/** Reads the coordinator's environment once at start-up; a bad value stops it with the variable's name. */
export function loadCoordinatorConfig(env: NodeJS.ProcessEnv = process.env): CoordinatorConfig {
  const e = parseEnv(CoordinatorEnvSchema, env, 'coordinator');
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    maxBodyBytes: e.MAX_BODY_BYTES,
    dispatchIntervalMs: e.DISPATCH_INTERVAL_MS,
    eventsPollMs: e.EVENTS_POLL_MS,
    eventsHeartbeatMs: e.EVENTS_HEARTBEAT_MS,
    dashboardDir: e.DASHBOARD_DIR,
    logLevels: logLevelsUpTo(e.LOG_LEVEL),
  };
}
