import type { z } from 'zod';
import { toValidationIssues, unstorableValueIssues } from '@tuneforge/contracts';
import { RequestValidationError } from './domain-errors';

/** Validates a query string with a zod schema; a bad parameter is a 400 naming it. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  refuseUnstorable(query, 'query');
  const result = schema.safeParse(query ?? {});
  if (result.success) return result.data;
  throw new RequestValidationError(toValidationIssues(result.error, query).map((issue) => ({ ...issue, path: `query.${issue.path}` })));
}

/** Validates a JSON body with a strict zod schema (after refusing text PostgreSQL cannot store); a bad field is a 400 naming it as `body.<field>`. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  refuseUnstorable(body, 'body');
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  throw new RequestValidationError(toValidationIssues(result.error, body).map((issue) => ({ ...issue, path: issue.path ? `body.${issue.path}` : 'body' })));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an id can exist at all; anything else is answered 404 without asking the database. */
export function isUuid(id: string): boolean {
  return UUID.test(id);
}

/** A 400 naming each string (or key) in `value` that PostgreSQL cannot store: NUL, lone surrogates. */
export function refuseUnstorable(value: unknown, prefix: string): void {
  const issues = unstorableValueIssues(value, prefix);
  if (issues.length > 0) throw new RequestValidationError(issues);
}
