import 'reflect-metadata';
import { Client } from 'pg';
import { DEFAULT_DATABASE_URL, ensureDatabase, migrate } from '@tuneforge/persistence';

/** Any constant shared by every migrating process; "tfmigrat" in ASCII. */
const MIGRATION_LOCK_KEY = 0x74666d6967726174n;

/**
 * The migration step of a deployment (Kubernetes init container or Job): creates the database and
 * applies pending migrations while holding a PostgreSQL advisory lock, so that replicas starting
 * together go one at a time and the later ones find the schema up to date. The lock is taken in the
 * `postgres` database, the one that exists before ours is created.
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const where = new URL(url);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const lock = new Client({ connectionString: admin.toString() });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    await ensureDatabase(url);
    const applied = await migrate(url);
    console.log(applied.length ? `applied ${applied.join(', ')} to ${where.host}${where.pathname}` : `schema of ${where.host}${where.pathname} is up to date`);
  } finally {
    await lock.end(); // ending the session releases the lock
  }
}

main().catch((error: unknown) => {
  console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
