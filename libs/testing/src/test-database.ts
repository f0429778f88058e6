import { randomBytes } from 'node:crypto';
import { dropDatabase, migrate } from '@tuneforge/persistence';

export const TEST_DATABASE_SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file, migrated to the current schema. */
export async function createTestDatabase(label: string, serverUrl = TEST_DATABASE_SERVER_URL): Promise<TestDatabase> {
  const name = `tf_test_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const url = `${serverUrl}/${name}`;
  await migrate(url);
  return { url, drop: () => dropDatabase(url) };
}

/** A queue prefix no other test file uses, so tests never see each other's jobs. */
export function uniqueQueuePrefix(label: string): string {
  return `tf-test-${label}-${randomBytes(4).toString('hex')}`;
}
