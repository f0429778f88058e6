import 'reflect-metadata';
import { DEFAULT_DATABASE_URL, migrateUnderLock } from '../index';

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const applied = await migrateUnderLock(url);
  const where = new URL(url);
  console.log(applied.length ? `applied ${applied.join(', ')} to ${where.host}${where.pathname}` : `schema of ${where.host}${where.pathname} is up to date`);
}

main().catch((error: unknown) => {
  console.error(`migration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
