import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { databaseOptions, Stores } from '@tuneforge/persistence';
import { createTestDatabase, type TestDatabase } from '@tuneforge/testing';
import { ChangeFeed } from '../src/events/change-feed.service';

/**
 * The feed reads trials by updated_at, which writers set to now(): their transaction's start. These cases
 * write the way the stores do (`updated_at = now()`) and check what the dashboard is sent.
 */
describe(ChangeFeed.name, () => {
  let database: TestDatabase;
  let db: DataSource;

  const aSweep = async (trials: number) => {
    const [{ id }] = await db.query(`INSERT INTO sweeps (name, spec, seed, planned_trials, trials_created) VALUES ('feed', '{}', 1, $1, $1) RETURNING id`, [trials]);
    const rows: { id: string }[] = await db.query(
      `INSERT INTO trials (sweep_id, number, config, seed) SELECT $1, n, '{}', 1 FROM generate_series(0, $2::int - 1) n ORDER BY n RETURNING id`,
      [id, trials],
    );
    return { sweepId: id as string, trialIds: rows.map((r) => r.id) };
  };
  const setEpoch = (trialId: string, epoch: number) => db.query(`UPDATE trials SET last_epoch = $2, updated_at = now() WHERE id = $1`, [trialId, epoch]);
  /** A feed that has taken its baseline. */
  const aFeed = async () => {
    const feed = new ChangeFeed(new Stores(db.manager));
    assert.deepEqual(await feed.poll(), []);
    return feed;
  };

  before(async () => {
    database = await createTestDatabase('change_feed');
    db = await new DataSource(databaseOptions(database.url, 'change-feed-test')).initialize();
  });
  after(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('sends a change that commits after a poll with an updated_at older than that poll, once', async () => {
    const { sweepId, trialIds } = await aSweep(2);
    const sut = await aFeed();
    const late = db.createQueryRunner();
    try {
      await late.startTransaction();
      await late.query(`UPDATE trials SET last_epoch = 7, updated_at = now() WHERE id = $1`, [trialIds[0]]);
      const [{ at: afterLateStart }] = await db.query(`SELECT clock_timestamp()::text AS at`);
      await setEpoch(trialIds[1], 1);
      const meanwhile = await sut.poll();
      assert.deepEqual(
        meanwhile.map((e) => e.type === 'trial' && [e.trialId, e.lastEpoch]),
        [[trialIds[1], 1]],
        'the uncommitted change is not seen; the committed one is',
      );
      await late.commitTransaction();
      const [{ older }] = await db.query(`SELECT updated_at < $2::timestamptz AS older FROM trials WHERE id = $1`, [trialIds[0], afterLateStart]);
      assert.equal(older, true, 'the late change carries a time the previous poll had already passed');

      assert.deepEqual(await sut.poll(), [{ type: 'trial', sweepId, trialId: trialIds[0], number: 0, status: 'queued', lastEpoch: 7, bestMetric: null, prunedRung: null }]);
      assert.deepEqual(await sut.poll(), [], 'rows read again behind the mark are not sent again');
    } finally {
      if (late.isTransactionActive) await late.rollbackTransaction();
      await late.release();
    }
  });

  it('sends nothing for a write that changes no field the dashboard shows', async () => {
    const { trialIds } = await aSweep(1);
    const sut = await aFeed();
    await db.query(`UPDATE trials SET worker_id = 'w-1', updated_at = now() WHERE id = $1`, [trialIds[0]]);
    assert.deepEqual(await sut.poll(), []);
    await db.query(`UPDATE trials SET events = events || '[{"at":"2026-01-01T00:00:00Z","type":"started","message":"attempt 1"}]', updated_at = now() WHERE id = $1`, [trialIds[0]]);
    assert.deepEqual((await sut.poll()).map((e) => e.type), ['trial'], 'a new entry in its events is a change');
  });

  it('watches a sweep that starts after the baseline: its sweep event, then every trial it has', async () => {
    const sut = await aFeed();
    const { sweepId, trialIds } = await aSweep(3);
    // An hour-old change: a new sweep's trials are read whole, not by updated_at.
    await db.query(`UPDATE trials SET updated_at = now() - interval '1 hour' WHERE sweep_id = $1`, [sweepId]);
    const events = await sut.poll();
    assert.deepEqual(events[0], { type: 'sweep', sweepId, status: 'running', trialsCreated: 3, plannedTrials: 3 });
    assert.deepEqual(events.slice(1).map((e) => e.type === 'trial' && e.trialId).sort(), [...trialIds].sort());
    await setEpoch(trialIds[2], 1);
    assert.deepEqual((await sut.poll()).map((e) => e.type === 'trial' && [e.trialId, e.lastEpoch]), [[trialIds[2], 1]]);
  });

  it("sends an ended sweep's last transitions with its end, then nothing more of it", async () => {
    const { sweepId, trialIds } = await aSweep(2);
    const sut = await aFeed();
    await db.transaction(async (manager) => {
      await manager.query(`UPDATE trials SET status = 'cancelled', updated_at = now() WHERE sweep_id = $1`, [sweepId]);
      await manager.query(`UPDATE sweeps SET status = 'cancelled', updated_at = now() WHERE id = $1`, [sweepId]);
    });
    const events = await sut.poll();
    assert.deepEqual(events[0], { type: 'sweep', sweepId, status: 'cancelled', trialsCreated: 2, plannedTrials: 2 });
    assert.deepEqual(events.slice(1).map((e) => e.type === 'trial' && [e.trialId, e.status]).sort(), trialIds.map((id) => [id, 'cancelled']).sort());
    await setEpoch(trialIds[0], 3);
    assert.deepEqual(await sut.poll(), []);
  });

  it('sends the live workers when they change', async () => {
    const sut = await aFeed();
    await db.query(
      `INSERT INTO workers (id, host, pid, backend, concurrency, running_trial_ids, started_at, last_heartbeat_at) VALUES ('feed-worker', 'h', 1, 'cpu', 2, '["a","b"]', now(), now())`,
    );
    assert.deepEqual(await sut.poll(), [{ type: 'workers', workerIds: ['feed-worker'], runningTrials: 2 }]);
    assert.deepEqual(await sut.poll(), []);
  });
});
