import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { databaseOptions, dropDatabase, lockedInIdOrder, migrate } from '../src';

const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const TRIALS = 400;

describe('multi-row trial updates locked in id order', () => {
  const url = `${SERVER_URL}/tf_test_locks_${randomBytes(4).toString('hex')}`;
  let dataSource: DataSource;
  let ids: string[];

  before(async () => {
    await migrate(url);
    dataSource = await new DataSource(databaseOptions(url, 'row-locks-test')).initialize();
    const [{ id: sweepId }] = await dataSource.query(`INSERT INTO sweeps (name, spec, seed, planned_trials) VALUES ('locks', '{}', 1, $1) RETURNING id`, [TRIALS]);
    const rows: { id: string }[] = await dataSource.query(
      `INSERT INTO trials (sweep_id, number, config, seed) SELECT $1, n, '{}', 1 FROM generate_series(0, $2 - 1) n RETURNING id`,
      [sweepId, TRIALS],
    );
    ids = rows.map((r) => r.id);
  });
  after(async () => {
    await dataSource?.destroy();
    await dropDatabase(url);
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
