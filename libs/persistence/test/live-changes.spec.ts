import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { databaseOptions, dropDatabase, migrate, readLiveChanges, readLiveTrials, upsertMetricPoints, type LiveChangesQuery } from '../src';

const SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

describe('live changes read model', () => {
  const url = `${SERVER_URL}/tf_test_live_changes_${randomBytes(4).toString('hex')}`;
  let db: DataSource;
  let now: string;
  const sweeps: Record<'running' | 'paused' | 'completed' | 'unwatched', string> = { running: '', paused: '', completed: '', unwatched: '' };
  /** Trials of the running sweep, by how long ago they changed. */
  const trials: Record<'now' | 'thirtySecondsAgo' | 'twoHoursAgo', string> = { now: '', thirtySecondsAgo: '', twoHoursAgo: '' };
  let completedTrial: string;
  let unwatchedTrial: string;

  const aSweep = async (status: string) =>
    (await db.query(`INSERT INTO sweeps (name, spec, seed, planned_trials, trials_created, status) VALUES ($1, '{}', 1, 5, 3, $2) RETURNING id`, [status, status]))[0].id as string;
  const aTrial = async (sweepId: string, number: number, changedSecondsAgo: number) =>
    (
      await db.query(
        `INSERT INTO trials (sweep_id, number, config, seed, status, last_epoch, best_metric, events, updated_at)
         VALUES ($1, $2, '{}', 1, 'running', 4, $4, '[{"at":"2026-01-01T00:00:00Z","type":"started","message":"attempt 1"}]', now() - make_interval(secs => $3))
         RETURNING id`,
        // A double that JSON must carry exactly: the read model aggregates rows to JSON.
        [sweepId, number, changedSecondsAgo, 0.1 + 0.2],
      )
    )[0].id as string;
  const query = (overrides: Partial<LiveChangesQuery> = {}): LiveChangesQuery => ({
    since: now,
    lookBackMs: 60_000,
    sweepIds: [sweeps.running, sweeps.completed],
    afterMetricId: '0',
    ...overrides,
  });

  before(async () => {
    await migrate(url);
    db = await new DataSource(databaseOptions(url, 'live-changes-test')).initialize();
    for (const status of ['running', 'paused', 'completed'] as const) sweeps[status] = await aSweep(status);
    sweeps.unwatched = await aSweep('running');
    trials.now = await aTrial(sweeps.running, 0, 0);
    trials.thirtySecondsAgo = await aTrial(sweeps.running, 1, 30);
    trials.twoHoursAgo = await aTrial(sweeps.running, 2, 7_200);
    completedTrial = await aTrial(sweeps.completed, 0, 5);
    unwatchedTrial = await aTrial(sweeps.unwatched, 0, 0);
    [{ now }] = await db.query(`SELECT now()::text AS now`);
  });
  after(async () => {
    await db?.destroy();
    await dropDatabase(url);
  });

  it("reads the named sweeps' trials changed after since - lookBack, with the fields the feed shows", async () => {
    const sut = await readLiveChanges(db.manager, query());
    assert.deepEqual(sut.trials.map((t) => t.id).sort(), [trials.now, trials.thirtySecondsAgo, completedTrial].sort());
    assert.ok(!sut.trials.some((t) => t.id === unwatchedTrial), 'a sweep not named is not read');
    assert.deepEqual(
      sut.trials.find((t) => t.id === trials.thirtySecondsAgo),
      { id: trials.thirtySecondsAgo, sweepId: sweeps.running, number: 1, status: 'running', lastEpoch: 4, bestMetric: 0.1 + 0.2, prunedRung: null, eventCount: 1 },
    );
    const narrower = await readLiveChanges(db.manager, query({ lookBackMs: 10_000 }));
    assert.deepEqual(narrower.trials.map((t) => t.id).sort(), [trials.now, completedTrial].sort());
  });

  it('reads every active sweep and the named ones whatever their status, and its own clock as the next mark', async () => {
    const sut = await readLiveChanges(db.manager, query({ sweepIds: [sweeps.completed] }));
    assert.deepEqual(sut.sweeps.map((s) => s.id).sort(), [sweeps.running, sweeps.paused, sweeps.completed, sweeps.unwatched].sort());
    assert.deepEqual(sut.sweeps.find((s) => s.id === sweeps.completed), { id: sweeps.completed, status: 'completed', trialsCreated: 3, plannedTrials: 5 });
    assert.ok(Date.parse(sut.readAt) >= Date.parse(now));
    const first = await readLiveChanges(db.manager, query({ since: null, sweepIds: [] }));
    assert.deepEqual(first.trials, [], 'the first read (no mark, no sweeps watched yet) reads no trials');
  });

  it('reads metric points past the id, the newest epoch per trial, and moves the mark to the newest id', async () => {
    const before = await readLiveChanges(db.manager, query({ afterMetricId: null }));
    assert.deepEqual(before.metrics, [], 'the first read only takes the mark');
    await upsertMetricPoints(db.manager, [3, 1, 2].map((epoch) => ({ sweepId: sweeps.running, trialId: trials.now, epoch, name: 'val_loss', value: epoch, attempt: 0 })));
    await upsertMetricPoints(db.manager, [{ sweepId: sweeps.running, trialId: trials.twoHoursAgo, epoch: 7, name: 'val_loss', value: 1, attempt: 0 }]);
    const sut = await readLiveChanges(db.manager, query({ afterMetricId: before.lastMetricId }));
    assert.deepEqual(
      sut.metrics.sort((a, b) => a.epoch - b.epoch),
      [
        { sweepId: sweeps.running, trialId: trials.now, epoch: 3 },
        { sweepId: sweeps.running, trialId: trials.twoHoursAgo, epoch: 7 },
      ],
    );
    assert.equal(BigInt(sut.lastMetricId), BigInt(before.lastMetricId) + 4n);
    const again = await readLiveChanges(db.manager, query({ afterMetricId: sut.lastMetricId }));
    assert.deepEqual(again.metrics, []);
    assert.equal(again.lastMetricId, sut.lastMetricId);
  });

  it('reads the live workers only, by id', async () => {
    await db.query(
      `INSERT INTO workers (id, host, pid, backend, concurrency, running_trial_ids, started_at, last_heartbeat_at, stopped_at) VALUES
         ('w-b', 'h', 1, 'cpu', 2, '["t1","t2"]', now(), now(), NULL),
         ('w-a', 'h', 2, 'cpu', 2, '[]', now(), now(), NULL),
         ('w-silent', 'h', 3, 'cpu', 2, '["t3"]', now(), now() - interval '1 minute', NULL),
         ('w-stopped', 'h', 4, 'cpu', 2, '[]', now(), now(), now())`,
    );
    const sut = await readLiveChanges(db.manager, query());
    assert.deepEqual(sut.workers, [
      { id: 'w-a', runningTrials: 0 },
      { id: 'w-b', runningTrials: 2 },
    ]);
  });

  it('reads all trials of the sweeps a feed starts to watch, however long ago they changed', async () => {
    const sut = await readLiveTrials(db.manager, [sweeps.running]);
    assert.deepEqual(sut.map((t) => t.number).sort(), [0, 1, 2]);
    assert.deepEqual(await readLiveTrials(db.manager, []), []);
  });
});
