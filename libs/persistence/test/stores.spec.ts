import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TrialEvent, TrialStatus } from '@tuneforge/contracts';
import { seedSweep, TestStores } from '@tuneforge/testing';
import { SweepTransitionRefusedError, type Stores, type TrialRef } from '../src';

interface TrialState {
  status: TrialStatus;
  attempts: number;
  updatedAt: Date;
  events: TrialEvent[];
}

describe('stores: every transition goes through the lifecycle, sets updated_at and appends one event', () => {
  let db: TestStores;
  let stores: Stores;

  before(async () => {
    db = await TestStores.open('stores');
    stores = db.stores;
  });
  after(() => db?.close());

  const state = async (id: string): Promise<TrialState> => {
    const trial = await stores.trialReads.find(id);
    assert.ok(trial, `trial ${id} exists`);
    return { status: trial.status, attempts: trial.attempts, updatedAt: trial.updatedAt, events: trial.events };
  };
  /** Runs a write and returns the trial before and after it; updated_at is compared on PostgreSQL's clock. */
  const around = async (id: string, write: () => Promise<unknown>): Promise<{ before: TrialState; after: TrialState; result: unknown }> => {
    const before = await state(id);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const result = await write();
    return { before, after: await state(id), result };
  };
  const newEvents = ({ before, after }: { before: TrialState; after: TrialState }) => after.events.slice(before.events.length).map((e) => e.type);
  const claim = async (trial: TrialRef, worker = 'w1') => (await stores.trials.claim([trial], worker, 'simulated'))[0];

  it('claims a queued trial with a started event, and a running one again as a takeover that records the superseded run', async () => {
    const { trials } = await seedSweep(stores, { trials: 1 });
    const first = await around(trials[0].id, () => claim(trials[0]));
    assert.equal(first.after.status, 'running');
    assert.equal(first.after.attempts, 1);
    assert.deepEqual(newEvents(first), ['started']);
    assert.ok(first.after.updatedAt > first.before.updatedAt);

    const takeover = await around(trials[0].id, () => claim(trials[0], 'w2'));
    assert.equal(takeover.after.attempts, 2);
    assert.deepEqual(newEvents(takeover), ['superseded', 'started'], 'the old run ends and the new one starts: one event each');
    assert.match(takeover.after.events.at(-2)?.message ?? '', /attempt 1 on worker w1 is superseded/);
  });

  it('ends a run once, with its status as the event, and refuses an older attempt or a finished trial', async () => {
    const { trials } = await seedSweep(stores, { trials: 1 });
    await claim(trials[0]);
    const ending = { trialId: trials[0].id, status: 'completed' as const, reason: 'done', bestMetric: 0.5, lastEpoch: 3 };
    assert.deepEqual(await stores.trials.end([{ ...ending, attempt: 0 }]), [false], 'a superseded attempt cannot end the trial');
    const ended = await around(trials[0].id, () => stores.trials.end([{ ...ending, attempt: 1 }]));
    assert.deepEqual(ended.result, [true]);
    assert.equal(ended.after.status, 'completed');
    assert.deepEqual(newEvents(ended), ['completed']);

    const refused = await around(trials[0].id, async () => [
      await stores.trials.end([{ ...ending, attempt: 1, status: 'failed' }]),
      await stores.trials.failAfterJob(trials[0].id, 'job failed: late'),
      await stores.trials.handBack({ trialId: trials[0].id, attempt: 1 }, 'late'),
      await stores.trials.addEvent({ trialId: trials[0].id, attempt: 1 }, 'resumed', 'late'),
      await stores.trials.requeueLost({ id: trials[0].id, sweepId: trials[0].sweepId, status: 'running', attempts: 1 }, 'late'),
      (await stores.trials.cancelActiveOfSweep(trials[0].sweepId, 'late')).cancelled.length,
    ]);
    assert.deepEqual(refused.result, [[false], false, false, false, false, 0], 'a finished trial never changes again');
    assert.deepEqual(refused.after, refused.before);
  });

  it('hands a run back to the queue and requeues or fails a lost one only while it is as the reconciler saw it', async () => {
    const { trials } = await seedSweep(stores, { trials: 2 });
    await claim(trials[0]);
    const handedBack = await around(trials[0].id, () => stores.trials.handBack({ trialId: trials[0].id, attempt: 1 }, 'worker stopping'));
    assert.equal(handedBack.result, true);
    assert.equal(handedBack.after.status, 'queued');
    assert.deepEqual(newEvents(handedBack), ['handed-back']);
    assert.ok(handedBack.after.updatedAt > handedBack.before.updatedAt);

    await claim(trials[1]);
    const seen = { id: trials[1].id, sweepId: trials[1].sweepId, status: 'running' as const, attempts: 1 };
    assert.equal(await stores.trials.requeueLost({ ...seen, attempts: 2 }, 'stale view'), false, 'a view of another attempt repairs nothing');
    const requeued = await around(trials[1].id, () => stores.trials.requeueLost(seen, 'its job was lost'));
    assert.equal(requeued.after.status, 'queued');
    assert.deepEqual(newEvents(requeued), ['requeued']);
    assert.equal(await stores.trials.failLost(seen, 'lost again'), false, 'the trial is queued now, not as seen');

    await claim(trials[1]);
    const failed = await around(trials[1].id, () => stores.trials.failLost({ ...seen, attempts: 2 }, 'lost after 2 attempts'));
    assert.equal(failed.after.status, 'failed');
    assert.deepEqual(newEvents(failed), ['failed']);
  });

  it('cancels the active trials of a sweep with a cancelled event each and leaves its finished ones alone', async () => {
    const { sweep, trials } = await seedSweep(stores, { trials: 3 });
    await claim(trials[1]);
    await claim(trials[2]);
    await stores.trials.end([{ trialId: trials[2].id, attempt: 1, status: 'pruned', reason: 'pruned at rung 0', bestMetric: 1, lastEpoch: 1 }]);
    const result = await stores.transaction((tx) => tx.trials.cancelActiveOfSweep(sweep.id, 'sweep cancelled'));
    assert.deepEqual(result.cancelled.sort(), [trials[0].id, trials[1].id].sort());
    assert.deepEqual(result.wereQueued, [trials[0].id]);
    for (const trial of trials.slice(0, 2)) {
      const after = await state(trial.id);
      assert.equal(after.status, 'cancelled');
      assert.equal(after.events.at(-1)?.type, 'cancelled');
      assert.equal(after.events.at(-1)?.message, 'sweep cancelled');
    }
    assert.equal((await state(trials[2].id)).status, 'pruned');
  });

  it('moves a sweep only along the lifecycle, keeping finished_at and updated_at', async () => {
    const { sweep } = await seedSweep(stores);
    const read = async () => {
      const row = await stores.sweeps.find(sweep.id);
      assert.ok(row);
      return row;
    };
    await stores.sweeps.moveTo(sweep.id, 'paused');
    await assert.rejects(stores.sweeps.moveTo(sweep.id, 'completed'), SweepTransitionRefusedError, 'a paused sweep completes only after it resumes');
    assert.equal((await read()).status, 'paused');
    await stores.sweeps.moveTo(sweep.id, 'running');
    const beforeEnd = await read();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await stores.sweeps.moveTo(sweep.id, 'completed');
    const completed = await read();
    assert.ok(completed.finishedAt, 'an end sets finished_at');
    assert.ok(completed.updatedAt > beforeEnd.updatedAt);
    await stores.sweeps.moveTo(sweep.id, 'running');
    assert.equal((await read()).finishedAt, null, 'a reopened sweep is not finished');
    await stores.sweeps.moveTo(sweep.id, 'cancelled');
    await assert.rejects(stores.sweeps.moveTo(sweep.id, 'running'), /cannot become running/);
    assert.equal((await read()).status, 'cancelled');
  });

  it('counts active trials per sweep and in all, and reports running sweeps with their occupancy', async () => {
    const before = await stores.trials.countActive();
    const { sweep, trials } = await seedSweep(stores, { trials: 3 });
    await claim(trials[0]);
    await stores.trials.end([{ trialId: trials[0].id, attempt: 1, status: 'completed', reason: 'done', bestMetric: 1, lastEpoch: 1 }]);
    assert.equal(await stores.trials.countActive(sweep.id), 2);
    assert.equal(await stores.trials.countActive(), before + 2);
    const occupancy = (await stores.sweeps.running()).find((s) => s.id === sweep.id);
    assert.deepEqual(occupancy, { id: sweep.id, maxConcurrent: 4, plannedTrials: 20, trialsCreated: 3, activeTrials: 2 });
  });
});
