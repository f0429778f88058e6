import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { saveCheckpoint, TrialEntity, type Stores } from '@tuneforge/persistence';
import { aParsedSweepSpec, ageTrials, cancelSweep, claimTrials, seedRun, seedSweep, seedWorker, TestStores } from '@tuneforge/testing';
import { ChangeFeed } from '../src/events/change-feed.service';

/**
 * The feed reads trials by updated_at, which writers set to now(): their transaction's start. These cases
 * write through the stores (which set `updated_at = now()`) and check what the dashboard is sent.
 */
describe(ChangeFeed.name, () => {
  let db: TestStores;
  let stores: Stores;

  const aSweep = async (trials: number) => {
    const spec = aParsedSweepSpec({ name: 'feed', budget: { maxTrials: trials, maxConcurrent: trials, maxEpochsPerTrial: 10 } });
    const seeded = await seedSweep(stores, { spec, trials });
    return { sweepId: seeded.sweep.id, trials: seeded.trials, trialIds: seeded.trials.map((t) => t.id) };
  };
  /** The trial is claimed and its run saves a checkpoint of `epoch`: its status and lastEpoch change. */
  const checkpointed = (trial: { id: string; sweepId: string }, epoch: number) =>
    seedRun(stores, trial, { checkpoint: { epoch, format: 'simulated/v1', bytes: Buffer.from([epoch]) } });
  const updatedAt = async (trialId: string) => (await stores.manager.findOneByOrFail(TrialEntity, { id: trialId })).updatedAt;
  /** A feed that has taken its baseline. */
  const aFeed = async () => {
    const feed = new ChangeFeed(stores);
    assert.deepEqual(await feed.poll(), []);
    return feed;
  };

  before(async () => {
    db = await TestStores.open('change_feed');
    stores = db.stores;
  });
  after(() => db?.close());

  it('sends a change that commits after a poll with an updated_at older than that poll, once', async () => {
    const { sweepId, trials, trialIds } = await aSweep(2);
    // Trial 0 ran to a checkpoint of epoch 7; its run will hand it back, in a transaction that commits late.
    const run = await checkpointed(trials[0], 7);
    const sut = await aFeed();
    let written!: () => void;
    const lateWritten = new Promise<void>((resolve) => (written = resolve));
    let release!: (commit: boolean) => void;
    const released = new Promise<boolean>((resolve) => (release = resolve));
    const late = stores.transaction(async (tx) => {
      assert.ok(await tx.trials.handBack({ trialId: run.id, attempt: run.attempts }, 'handed back by the test'));
      written();
      if (!(await released)) throw new Error('rolled back by the test');
    });
    try {
      await Promise.race([lateWritten, late]);
      await new Promise((resolve) => setTimeout(resolve, 5)); // the next write's updated_at is later, whatever the clock's resolution
      await checkpointed(trials[1], 1);
      const meanwhile = await sut.poll();
      assert.deepEqual(
        meanwhile.map((e) => e.type === 'trial' && [e.trialId, e.lastEpoch]),
        [[trialIds[1], 1]],
        'the uncommitted change is not seen; the committed one is',
      );
      release(true);
      await late;
      // The poll above read trial 1's change, so its mark is past trial 1's updated_at.
      assert.ok((await updatedAt(trialIds[0])) < (await updatedAt(trialIds[1])), 'the late change carries a time the previous poll had already passed');

      assert.deepEqual(await sut.poll(), [{ type: 'trial', sweepId, trialId: trialIds[0], number: 0, status: 'queued', lastEpoch: 7, bestMetric: null, prunedRung: null }]);
      assert.deepEqual(await sut.poll(), [], 'rows read again behind the mark are not sent again');
    } finally {
      release(false);
      await late.catch(() => undefined);
    }
  });

  it('sends nothing for a write that changes no field the dashboard shows', async () => {
    const { trials } = await aSweep(1);
    const [run] = await claimTrials(stores, trials);
    const sut = await aFeed();
    assert.ok(await stores.trials.recordBackend({ trialId: run.id, attempt: run.attempts }, 'cpu'));
    assert.deepEqual(await sut.poll(), []);
    assert.ok(await stores.trials.addEvent({ trialId: run.id, attempt: run.attempts }, 'started', 'attempt 1'));
    assert.deepEqual((await sut.poll()).map((e) => e.type), ['trial'], 'a new entry in its events is a change');
  });

  it('watches a sweep that starts after the baseline: its sweep event, then every trial it has', async () => {
    const sut = await aFeed();
    const { sweepId, trials, trialIds } = await aSweep(3);
    // An hour-old change: a new sweep's trials are read whole, not by updated_at.
    await ageTrials(stores, trialIds, 60 * 60_000);
    const events = await sut.poll();
    assert.deepEqual(events[0], { type: 'sweep', sweepId, status: 'running', trialsCreated: 3, plannedTrials: 3 });
    assert.deepEqual(events.slice(1).map((e) => e.type === 'trial' && e.trialId).sort(), [...trialIds].sort());
    await checkpointed(trials[2], 1);
    assert.deepEqual((await sut.poll()).map((e) => e.type === 'trial' && [e.trialId, e.lastEpoch]), [[trialIds[2], 1]]);
  });

  it("sends an ended sweep's last transitions with its end, then nothing more of it", async () => {
    const { sweepId, trials, trialIds } = await aSweep(2);
    const [run] = await claimTrials(stores, [trials[0]]);
    const sut = await aFeed();
    await cancelSweep(stores, sweepId);
    const events = await sut.poll();
    assert.deepEqual(events[0], { type: 'sweep', sweepId, status: 'cancelled', trialsCreated: 2, plannedTrials: 2 });
    assert.deepEqual(events.slice(1).map((e) => e.type === 'trial' && [e.trialId, e.status]).sort(), trialIds.map((id) => [id, 'cancelled']).sort());
    // Trial 0's run goes on until its next check: its checkpoint of epoch 3 is refused, and nothing is sent.
    assert.equal(await saveCheckpoint(stores.manager, { trialId: run.id, attempt: run.attempts, epoch: 3, format: 'simulated/v1', bytes: Buffer.from([3]), bestMetric: null }), false);
    await ageTrials(stores, [trialIds[0]], 0); // and a write of the trial (updated_at = now()) after the end
    assert.deepEqual(await sut.poll(), []);
  });

  it('sends the live workers when they change', async () => {
    const sut = await aFeed();
    await seedWorker(stores, { id: 'feed-worker', runningTrialIds: ['a', 'b'] });
    assert.deepEqual(await sut.poll(), [{ type: 'workers', workerIds: ['feed-worker'], runningTrials: 2 }]);
    assert.deepEqual(await sut.poll(), []);
  });
});
