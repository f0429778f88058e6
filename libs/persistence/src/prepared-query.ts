import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * Runs a hot statement as a named prepared statement: PostgreSQL parses and plans it once per
 * connection instead of at every call. Worth it for the worker's per-epoch statements, whose
 * planning took as long as a third of their execution. `name` must be unique to `text`.
 */
export async function preparedQuery<Row>(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<Row[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    const result = await client.query({ name, text, values });
    return result.rows as Row[];
  } finally {
    // A runner this call made goes back to the pool; a transaction's runner stays with its transaction.
    if (runner !== manager.queryRunner) await runner.release();
  }
}
