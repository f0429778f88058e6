import { z } from 'zod';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The connection settings every process shares; the database default lives with persistence. */
export function connectionEnvShape(defaultDatabaseUrl: string) {
  return {
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default(defaultDatabaseUrl),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default(DEFAULT_REDIS_URL),
    QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('tuneforge'),
    /** The least severe log level written: 'log' shows every trial's end; 'warn' only problems. */
    LOG_LEVEL: z.enum(LOG_LEVELS).default('log'),
  };
}

/**
 * The bearer token a scrape of GET /metrics must send, on the coordinator and on the workers' health port.
 * Unset: /metrics answers whoever reaches the port (its series carry counts, route templates and timings,
 * no ids, names or secrets).
 */
export const metricsEnvShape = {
  METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{16,256}$/, 'must be 16 to 256 printable ASCII characters without spaces')
    .optional(),
};

/** Log levels, most severe first (NestJS's names). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** The levels a process writes when configured with `least`: it and every more severe one. */
export function logLevelsUpTo(least: LogLevelName): LogLevelName[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(least) + 1);
}

/** Validates a process's environment once at start-up; a bad value fails with the variable's name. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, area: string): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new Error(`invalid ${area} environment: ${problems}`);
}
