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

/** Validates a process's environment once at start-up; a bad value fails with the variable's name. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, area: string): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new Error(`invalid ${area} environment: ${problems}`);
}
