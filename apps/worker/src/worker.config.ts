import { availableParallelism, hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { connectionEnvShape, metricsEnvShape, parseEnv } from '@tuneforge/contracts';
import { logEnvShape, logSettings, type LogSettings } from '@tuneforge/logging';
import { DEFAULT_DATABASE_URL } from '@tuneforge/persistence';
import { autoConcurrency, type TrainingEngine } from '@tuneforge/training';

const WorkerEnvSchema = z.object({
  ...connectionEnvShape(DEFAULT_DATABASE_URL),
  ...logEnvShape,
  ...metricsEnvShape,
  /** Trials at once: a number, or auto (sized from the cores, or from the GPUs' free memory: autoConcurrency). */
  WORKER_CONCURRENCY: z.union([z.literal('auto'), z.coerce.number().int().min(1).max(64)]).default(1),
  /** WORKER_CONCURRENCY=auto on a GPU: the memory one trial is allowed, and the most trials per GPU. */
  WORKER_GPU_TRIAL_MB: z.coerce.number().int().min(16).max(1_000_000).default(1_024),
  WORKER_GPU_TRIALS_MAX: z.coerce.number().int().min(1).max(64).default(8),
  WORKER_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,120}$/)
    .optional(),
  /** A dead worker's job lock expires after this; the stalled check then re-delivers the trial. */
  JOB_LOCK_MS: z.coerce.number().int().min(1_000).default(15_000),
  STALLED_CHECK_MS: z.coerce.number().int().min(1_000).default(10_000),
  HEARTBEAT_MS: z.coerce.number().int().min(100).default(5_000),
  METRICS_FLUSH_MS: z.coerce.number().int().min(10).default(500),
  /**
   * The most rung values a worker keeps for its rung decisions (about 60 bytes each); past it the least recently
   * asked-about rungs are dropped, and read whole again if asked about later.
   */
  WORKER_RUNG_VALUES_KEPT: z.coerce.number().int().min(1).max(100_000_000).default(1_000_000),
  /** Wall time of one epoch of the `simulated` model family (0: as fast as the bookkeeping allows). */
  SIMULATED_EPOCH_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  /** Port of the probe endpoints (GET /livez, GET /readyz) and of GET /metrics; unset: no health server. */
  WORKER_HEALTH_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  /**
   * After SIGTERM, exit after this long even if a trial has not reached its epoch boundary or PostgreSQL
   * or Redis does not answer (its job lock expires and it resumes from its last checkpoint elsewhere).
   */
  WORKER_STOP_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
});

export interface WorkerConfig {
  id: string;
  databaseUrl: string;
  redisUrl: string;
  queuePrefix: string;
  concurrency: number;
  /** Why this many (WORKER_CONCURRENCY=auto's sizing, or the setting). */
  concurrencyReason: string;
  jobLockMs: number;
  stalledCheckMs: number;
  heartbeatMs: number;
  metricsFlushMs: number;
  rungValuesKept: number;
  simulatedEpochMs: number;
  healthPort?: number;
  /** The bearer token GET /metrics requires; undefined: /metrics is open to whoever reaches the health port. */
  metricsToken?: string;
  stopTimeoutMs: number;
  log: LogSettings;
}

export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

/** What the worker's concurrency depends on when it is `auto`: the engine it trains on (selectTrainingEngine). */
export type WorkerEngine = Pick<TrainingEngine, 'kind' | 'threads' | 'gpus'>;

/** Reads the worker's environment once at start-up; a bad value stops it with the variable's name. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env, engine: WorkerEngine = { kind: 'tfjs', threads: 1 }): WorkerConfig {
  const e = parseEnv(WorkerEnvSchema, env, 'worker');
  const sized =
    e.WORKER_CONCURRENCY === 'auto'
      ? autoConcurrency({
          engine: engine.kind,
          cores: availableParallelism(),
          threadsPerTrial: engine.threads,
          gpus: engine.gpus,
          gpuBytesPerTrial: e.WORKER_GPU_TRIAL_MB * 2 ** 20,
          maxTrialsPerGpu: e.WORKER_GPU_TRIALS_MAX,
        })
      : { concurrency: e.WORKER_CONCURRENCY, reason: 'WORKER_CONCURRENCY' };
  return {
    id: e.WORKER_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    queuePrefix: e.QUEUE_PREFIX,
    concurrency: sized.concurrency,
    concurrencyReason: e.WORKER_CONCURRENCY === 'auto' ? `WORKER_CONCURRENCY=auto: ${sized.reason}` : 'WORKER_CONCURRENCY',
    jobLockMs: e.JOB_LOCK_MS,
    stalledCheckMs: e.STALLED_CHECK_MS,
    heartbeatMs: e.HEARTBEAT_MS,
    metricsFlushMs: e.METRICS_FLUSH_MS,
    rungValuesKept: e.WORKER_RUNG_VALUES_KEPT,
    simulatedEpochMs: e.SIMULATED_EPOCH_MS,
    healthPort: e.WORKER_HEALTH_PORT,
    metricsToken: e.METRICS_TOKEN,
    stopTimeoutMs: e.WORKER_STOP_TIMEOUT_MS,
    log: logSettings(e),
  };
}
