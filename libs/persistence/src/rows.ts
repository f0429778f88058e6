import { z } from 'zod';
import type { EntityManager } from 'typeorm';
import { SWEEP_STATUSES, TRIAL_STATUSES } from '@tuneforge/contracts';

/**
 * Runs a statement and checks every row it answers against `row`, so a renamed column or a type the
 * driver hands back differently (a bigint as text, say) fails here, naming the statement, instead of
 * travelling on as a wrongly typed value. For SELECT and for INSERT or UPDATE ... RETURNING.
 */
export async function queryRows<T>(manager: EntityManager, row: z.ZodType<T>, sql: string, params: unknown[] = []): Promise<T[]> {
  const result: unknown = await manager.query(sql, params);
  const parsed = z.array(row).safeParse(isUpdateAnswer(result) ? result[0] : result);
  if (!parsed.success) throw new Error(`unexpected rows from \`${sql.replace(/\s+/g, ' ').slice(0, 120)}\`: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The one row a statement answers (a count, say); throws when it answers none. */
export async function queryRow<T>(manager: EntityManager, row: z.ZodType<T>, sql: string, params: unknown[] = []): Promise<T> {
  const [first] = await queryRows(manager, row, sql, params);
  if (first === undefined) throw new Error(`no row from \`${sql.replace(/\s+/g, ' ').slice(0, 120)}\``);
  return first;
}

/** Runs an UPDATE or DELETE without RETURNING; answers how many rows it changed. */
export async function rowsChanged(manager: EntityManager, sql: string, params: unknown[] = []): Promise<number> {
  const result: unknown = await manager.query(sql, params);
  if (!isUpdateAnswer(result)) throw new Error(`not an UPDATE or DELETE: \`${sql.replace(/\s+/g, ' ').slice(0, 120)}\``);
  return result[1];
}

/** TypeORM answers an UPDATE or DELETE with [rows, affected count]; a SELECT's rows are objects, never arrays. */
function isUpdateAnswer(result: unknown): result is [unknown[], number] {
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number';
}

/** Column types as PostgreSQL's driver hands them back. */
export const column = {
  id: z.string(),
  int: z.number().int(),
  float: z.number(),
  text: z.string(),
  time: z.date(),
  trialStatus: z.enum(TRIAL_STATUSES),
  sweepStatus: z.enum(SWEEP_STATUSES),
  /** A jsonb object of named numbers (a trial's test metrics). */
  metrics: z.record(z.string(), z.number()),
};
