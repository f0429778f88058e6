import { DataSource } from 'typeorm';
import { databaseOptions, Stores } from '@tuneforge/persistence';
import { createTestDatabase, type TestDatabase } from './test-database';

/** A scratch database, migrated, with a DataSource on it and the stores bound to that DataSource. */
export class TestStores {
  private constructor(
    readonly database: TestDatabase,
    readonly dataSource: DataSource,
    readonly stores: Stores,
  ) {}

  static async open(label: string, serverUrl?: string): Promise<TestStores> {
    const database = await createTestDatabase(label, serverUrl);
    const dataSource = await new DataSource(databaseOptions(database.url, `${label}-test`)).initialize();
    return new TestStores(database, dataSource, new Stores(dataSource.manager));
  }

  async close(): Promise<void> {
    await this.dataSource.destroy();
    await this.database.drop();
  }
}
