import type { EntityManager } from 'typeorm';

/**
 * Turns `SELECT <alias>.id FROM trials <alias> ...` into one that locks the rows it returns in id
 * order, for a multi-row UPDATE of them to run after. Workers claim and end trials, and the
 * coordinator marks them enqueued, in batches that overlap in any order; without one lock order two
 * batches can each hold a row the other waits for, and PostgreSQL breaks the deadlock only after
 * deadlock_timeout (1 s) by failing one. FOR NO KEY UPDATE is the lock the UPDATE itself takes, so
 * metric inserts (whose foreign key check takes FOR KEY SHARE on the trial) never wait for it.
 */
export function lockedInIdOrder(selectIds: string, alias: string): string {
  return `${selectIds} ORDER BY ${alias}.id FOR NO KEY UPDATE OF ${alias}`;
}

/**
 * Takes FOR KEY SHARE on the row `id` of `table` for the caller's transaction, when the row exists (true). A new row
 * that names it (a sweep on an uploaded dataset, a sweep warm-started from another) is written under it: a delete of
 * the row, which locks it FOR UPDATE first, waits for that transaction and then sees the new reference, and a delete
 * that committed first leaves nothing to hold (false).
 */
export async function holdForReference(manager: EntityManager, table: 'sweeps' | 'datasets', id: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(`SELECT id FROM ${table} WHERE id = $1 FOR KEY SHARE`, [id]);
  return rows.length > 0;
}
