import 'reflect-metadata';
import { DEFAULT_DATABASE_URL, migrateUnderLock } from '@tuneforge/persistence';

/**
 * The migration step of a deployment (Kubernetes init container or Job): creates the database and
 * applies pending migrations under an advisory lock, so replicas starting together go one at a time.
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const where = new URL(url);
  const applied = await migrateUnderLock(url);
  console.log(applied.length ? `applied ${applied.join(', ')} to ${where.host}${where.pathname}` : `schema of ${where.host}${where.pathname} is up to date`);
}

main().catch((error: unknown) => {
  console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
