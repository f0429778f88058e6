import { z } from 'zod';
import { connectionEnvShape, metricsEnvShape, parseEnv } from '@tuneforge/contracts';
import { logEnvShape, logSettings, type LogSettings } from '@tuneforge/logging';
import { DEFAULT_DATABASE_URL } from '@tuneforge/persistence';
import { loadSecurityConfig, type SecurityConfig } from './security.config';
import { loadWebhooksConfig, type WebhooksConfig } from './webhooks.config';

const CoordinatorEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  ...connectionEnvShape(DEFAULT_DATABASE_URL),
  ...logEnvShape,
  ...metricsEnvShape,
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(1024 * 1024),
  /** YAML parses about 100 times slower than JSON, on the event loop (7.6 s for 1 MiB of small lists): sweep specs are a few KiB. */
  MAX_YAML_BODY_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(64 * 1024),
  DISPATCH_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  EVENTS_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  EVENTS_HEARTBEAT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
  DASHBOARD_DIR: z.string().min(1).optional(),
  /** What one request may create: a sweep's maxConcurrent and maxTrials, and queued + running trials over all sweeps. */
  MAX_CONCURRENT_PER_SWEEP: z.coerce.number().int().min(1).max(100_000).default(256),
  MAX_TRIALS_PER_SWEEP: z.coerce.number().int().min(1).max(100_000).default(10_000),
  MAX_ACTIVE_TRIALS: z.coerce.number().int().min(1).max(1_000_000).default(5_000),
  /** A trial queued without a job, or running with no live worker, this long is reported stranded by /health. */
  STRANDED_AFTER_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** After SIGTERM/SIGINT the process exits within this long, whatever is unreachable. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** `off` lets every request act as an administrator: an explicit choice, warned about at every start. */
  AUTH_MODE: z.enum(['on', 'off']).default('on'),
  /** The first administrator's API token (a Kubernetes Secret, the demo's generated one); without it the first start makes one and prints it once. */
  TUNEFORGE_ADMIN_TOKEN: z
    .string()
    .regex(/^tf_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/, 'must be a Tuneforge API token: tf_, 10 lowercase letters or digits, _, 43 base64url characters')
    .optional(),
  /** How long a dashboard sign-in lasts. */
  SESSION_TTL_MINUTES: z.coerce.number().int().min(1).max(30 * 24 * 60).default(12 * 60),
});

export interface CoordinatorConfig extends SecurityConfig {
  webhooks: WebhooksConfig;
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  maxBodyBytes: number;
  maxYamlBodyBytes: number;
  /** How often queued-but-unenqueued trials and sweeps with free slots are looked for. */
  dispatchIntervalMs: number;
  /** How often the SSE change feed reads PostgreSQL while someone listens, and how often it sends a heartbeat. */
  eventsPollMs: number;
  eventsHeartbeatMs: number;
  /** The dashboard's build (index.html and assets); apps/dashboard/dist when unset. */
  dashboardDir?: string;
  limits: {
    maxConcurrentPerSweep: number;
    maxTrialsPerSweep: number;
    /** Queued and running trials over all sweeps; top-ups wait while it is reached. */
    maxActiveTrials: number;
  };
  strandedAfterMs: number;
  shutdownTimeoutMs: number;
  log: LogSettings;
  auth: { mode: 'on' | 'off'; adminToken?: string; sessionTtlMs: number };
  /** The bearer token GET /metrics requires; undefined: /metrics is open. */
  metricsToken?: string;
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
    maxYamlBodyBytes: e.MAX_YAML_BODY_BYTES,
    dispatchIntervalMs: e.DISPATCH_INTERVAL_MS,
    eventsPollMs: e.EVENTS_POLL_MS,
    eventsHeartbeatMs: e.EVENTS_HEARTBEAT_MS,
    dashboardDir: e.DASHBOARD_DIR,
    limits: { maxConcurrentPerSweep: e.MAX_CONCURRENT_PER_SWEEP, maxTrialsPerSweep: e.MAX_TRIALS_PER_SWEEP, maxActiveTrials: e.MAX_ACTIVE_TRIALS },
    strandedAfterMs: e.STRANDED_AFTER_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    log: logSettings(e),
    auth: { mode: e.AUTH_MODE, adminToken: e.TUNEFORGE_ADMIN_TOKEN, sessionTtlMs: e.SESSION_TTL_MINUTES * 60_000 },
    metricsToken: e.METRICS_TOKEN,
    ...loadSecurityConfig(env),
    ...loadWebhooksConfig(env, e.PORT),
  };
}
