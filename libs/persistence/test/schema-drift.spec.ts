import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { seedSweep } from '@tuneforge/testing';
import { databaseOptions, dropDatabase, ensureDatabase, migrate, MIGRATIONS, Stores } from '../src';

const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

describe('migrations', () => {
  const url = `${SERVER_URL}/tf_test_schema_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  /** Sweeps and trials are written through the stores; what is raw SQL here is what the test is about. */
  let stores: Stores;

  before(async () => {
    await ensureDatabase(url);
    dataSource = await new DataSource(databaseOptions(url, 'schema-drift-test')).initialize();
    stores = new Stores(dataSource.manager);
  });
  after(async () => {
    await dataSource?.destroy();
    await dropDatabase(url);
  });

  it('build exactly the schema the entities describe (generating again would add nothing)', async () => {
    assert.deepEqual(await migrate(url), MIGRATIONS.map((m) => m.name));
    const pending = await dataSource.driver.createSchemaBuilder().log();
    assert.deepEqual(
      pending.upQueries.map((q) => q.query),
      [],
      'entities and migrations drifted: run `npm run migration:generate -- <Name>`',
    );
  });

  it('apply once: a second run applies nothing', async () => {
    assert.deepEqual(await migrate(url), []);
  });

  it('undo completely and apply again', async () => {
    for (let i = 0; i < MIGRATIONS.length; i++) await dataSource.undoLastMigration();
    const tables: { table_name: string }[] = await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations'`,
    );
    assert.deepEqual(tables, []);
    assert.equal((await migrate(url)).length, MIGRATIONS.length);
  });

  it('enforce one metric value per (trial, name, epoch)', async () => {
    const {
      sweep,
      trials: [trial],
    } = await seedSweep(stores, { trials: 1 });
    // The constraint itself, so a plain INSERT: the writer's upsert would never run into it.
    const insert = () => dataSource.query(`INSERT INTO metric_points (sweep_id, trial_id, epoch, name, value) VALUES ($1, $2, 1, 'loss', 0.5)`, [sweep.id, trial.id]);
    await insert();
    await assert.rejects(insert, /uq_metric_points_trial_name_epoch/);
  });

  it('undo the pause migration with a paused sweep: the sweep runs again', async () => {
    const { sweep } = await seedSweep(stores, { status: 'paused' });
    const pauseAt = MIGRATIONS.findIndex((m) => m.name.startsWith('SweepPause'));
    for (let i = MIGRATIONS.length - 1; i >= pauseAt; i--) await dataSource.undoLastMigration();
    // Read with SQL: the entities describe the newest schema, not this older one.
    const [{ status }] = await dataSource.query(`SELECT status FROM sweeps WHERE id = $1`, [sweep.id]);
    assert.equal(status, 'running');
    assert.equal((await migrate(url)).length, MIGRATIONS.length - pauseAt);
  });
});
