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
