import { z } from 'zod';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The connection settings every process shares; the database default lives with persistence. */
export function connectionEnvShape(defaultDatabaseUrl: string) {
  return {
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default(defaultDatabaseUrl),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default(DEFAULT_REDIS_URL),
    QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only').default('tuneforge'),
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

/** Validates a process's environment once at start-up; a bad value fails with the variable's name. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, area: string): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new Error(`invalid ${area} environment: ${problems}`);
}
