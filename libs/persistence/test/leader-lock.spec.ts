import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { createTestDatabase, freePort, type TestDatabase } from '@tuneforge/testing';
import { LeaderLock } from '../src';

describe(LeaderLock.name, () => {
  let db: TestDatabase;
  let other: TestDatabase;
  let admin: Client;
  const locks: LeaderLock[] = [];
  const aLock = (url = db.url, name = 'leader-lock-test') => {
    const lock = new LeaderLock(url, name);
    locks.push(lock);
    return lock;
  };
  /** The server processes holding an advisory lock on `url`'s database, by application name. */
  const holders = async (url: string) =>
    (
      await admin.query<{ name: string }>(
        `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND a.datname = $1`,
        [new URL(url).pathname.slice(1)],
      )
    ).rows.map((r) => r.name);

  before(async () => {
    [db, other] = await Promise.all([createTestDatabase('leader_lock'), createTestDatabase('leader_lock_other')]);
    admin = new Client({ connectionString: db.url });
    await admin.connect();
  });
  afterEach(async () => {
    await Promise.all(locks.splice(0).map((lock) => lock.release()));
  });
  after(async () => {
    await admin?.end();
    await Promise.all([db?.drop(), other?.drop()]);
  });

  it('is held by one process at a time: the first to try takes it, the others do not wait and are refused', async () => {
    const [first, second, third] = [aLock(db.url, 'first'), aLock(db.url, 'second'), aLock(db.url, 'third')];
    assert.equal(await first.holdOrTake(), true);
    assert.deepEqual(await Promise.all([second.holdOrTake(), third.holdOrTake()]), [false, false]);
    assert.equal(await first.holdOrTake(), true, 'the holder confirms it still holds the lock');
    assert.deepEqual([first.isHeld, second.isHeld, third.isHeld], [true, false, false]);
    assert.deepEqual(await holders(db.url), ['first']);
  });

  it('passes to the next process that tries once the holder releases it', async () => {
    const [first, second] = [aLock(db.url, 'first'), aLock(db.url, 'second')];
    assert.equal(await first.holdOrTake(), true);
    assert.equal(await second.holdOrTake(), false);
    await first.release();
    assert.equal(first.isHeld, false);
    assert.equal(await second.holdOrTake(), true);
    assert.equal(await first.holdOrTake(), false, 'a released lock is not taken again');
    assert.deepEqual(await holders(db.url), ['second']);
  });

  it('is lost with the holder’s session: a terminated connection is noticed at the next check, and another process takes the lock', async () => {
    const [first, second] = [aLock(db.url, 'first'), aLock(db.url, 'second')];
    assert.equal(await first.holdOrTake(), true);
    assert.equal(await second.holdOrTake(), false);
    // What a killed leader, a PostgreSQL restart or a cut connection leaves: the server ends the holder's session.
    await admin.query(`SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = 'first' AND datname = current_database()`);
    assert.equal(await second.holdOrTake(), true, 'the lock went with the session');
    await first.holdOrTake().catch(() => false);
    assert.equal(first.isHeld, false, 'the old holder no longer claims it');
    assert.equal(await first.holdOrTake(), false, 'reconnected, it finds the lock taken');
    assert.deepEqual(await holders(db.url), ['second']);
  });

  it('is one per database: a deployment on another database elects its own holder', async () => {
    assert.equal(await aLock(db.url).holdOrTake(), true);
    assert.equal(await aLock(other.url).holdOrTake(), true);
  });

  it('throws and holds nothing while PostgreSQL is unreachable', async () => {
    const unreachable = new URL(db.url);
    unreachable.port = String(await freePort());
    const sut = aLock(unreachable.toString());
    await assert.rejects(sut.holdOrTake(), /ECONNREFUSED/);
    assert.equal(sut.isHeld, false);
  });
});
