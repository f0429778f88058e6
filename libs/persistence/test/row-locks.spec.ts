import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { aParsedSweepSpec, createTestDatabase, seedSweep, type TestDatabase } from '@tuneforge/testing';
import { databaseOptions, lockedInIdOrder, Stores } from '../src';

const TRIALS = 400;

describe('multi-row trial updates locked in id order', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let ids: string[];

  before(async () => {
    db = await createTestDatabase('locks');
    dataSource = await new DataSource(databaseOptions(db.url, 'row-locks-test')).initialize();
    const spec = aParsedSweepSpec({ name: 'locks', budget: { maxTrials: TRIALS, maxConcurrent: TRIALS, maxEpochsPerTrial: 1 } });
    const { trials } = await seedSweep(new Stores(dataSource.manager), { spec, trials: TRIALS });
    ids = trials.map((t) => t.id);
  });
  after(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('never deadlock when overlapping batches arrive in opposite orders', async () => {
    // A batch joined to the trials in the order it lists them locks the rows in that order unless the
    // lock comes first: without lockedInIdOrder these statements deadlock within a few rounds.
    const update = (batch: string[]) =>
      dataSource.query(
        `WITH wanted AS (SELECT * FROM unnest($1::uuid[]) WITH ORDINALITY AS w(id, k)),
         locked AS (${lockedInIdOrder('SELECT t.id FROM trials t JOIN wanted w ON t.id = w.id', 't')})
         UPDATE trials t SET attempts = t.attempts + 1 FROM locked l WHERE t.id = l.id`,
        [batch],
      );
    for (let round = 0; round < 10; round++) {
      await Promise.all([update(ids), update([...ids].reverse()), update(ids.filter((_, i) => i % 2 === 0).reverse())]);
    }
    const [{ total }] = await dataSource.query(`SELECT sum(attempts)::int AS total FROM trials`);
    assert.equal(total, 10 * (TRIALS * 2 + TRIALS / 2));
  });
});
