import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { databaseOptions } from './database-options';

/** Runs `work` on a connection to the server's `postgres` database, the one that exists before ours is created. */
async function withAdminClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database named in `url` when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`DATABASE_URL names an unusable database '${name}'`);
  await withAdminClient(url, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
      // Created meanwhile by someone else: 42P04, or 23505 when both CREATEs reached the catalog at once.
      if (error.code !== '42P04' && error.code !== '23505') throw error;
    });
  });
}

/** Drops the database named in `url`, closing its connections first. */
export async function dropDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  await withAdminClient(url, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * `migrate` while holding a PostgreSQL advisory lock for the database `url` names (taken in the `postgres` database,
 * which exists before ours is created), so that replicas of one deployment starting together go one at a time and the
 * later ones find the schema up to date. Other databases on the server do not wait. Ending the lock's session releases it.
 */
export function migrateUnderLock(url: string): Promise<string[]> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  return withAdminClient(url, async (client) => {
    await client.query(`SELECT pg_advisory_lock(hashtext('tuneforge-migrate'), hashtext($1))`, [name]);
    return migrate(url);
  });
}

/** Applies every pending migration; returns the names of those it applied. */
export async function migrate(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const dataSource = await new DataSource(databaseOptions(url, 'tuneforge-migrate')).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
