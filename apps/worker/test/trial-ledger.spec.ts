import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TrialRef } from '@tuneforge/persistence';
import { aParsedSweepSpec, cancelSweep, claimStatementsOf, claimTrials, endTrials, seedSweep, TestStores } from '@tuneforge/testing';
import { TrialLedger } from '../src/trial-ledger.service';
import { WorkerServices } from './support/worker-services';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe(TrialLedger.name, () => {
  let db: TestStores;
  let services: WorkerServices;
  let sut: TrialLedger;

  before(async () => {
    db = await TestStores.open('worker_ledger');
    services = await WorkerServices.create(db.stores, { WORKER_ID: 'ledger-worker', METRICS_FLUSH_MS: '60000' });
    sut = services.ledger;
  });
  after(async () => {
    await services?.close();
    await db?.close();
  });

  /**
   * Each claim statement is one transaction, and its claims record now() (the transaction's start) as
   * the trial's started_at: the distinct started_at values of first claims count the statements that ran.
   */
  const claimStatements = async (trials: readonly TrialRef[]) => {
    for (const trial of trials) assert.ok((await db.stores.trialReads.find(trial.id))?.startedAt, `trial ${trial.id} was claimed`);
    return claimStatementsOf(db.stores, trials.map((t) => t.id));
  };

  it('turns many concurrent claims into few statements, and gives every claim its own trial', async () => {
    const { sweep, trials } = await seedSweep(db.stores, { trials: 120, spec: aParsedSweepSpec({ name: 'batched', model: 'simulated' }) });
    const waves = [trials.slice(0, 40), trials.slice(40, 80), trials.slice(80, 100), trials.slice(100)];
    const claim = (refs: readonly TrialRef[]) => refs.map((trial) => sut.claim(trial.id, trial.sweepId));

    // A transaction of the coordinator's holds the first 80 trials' rows (marking them enqueued), so the
    // claim statements of the first two waves stay in flight until it commits, whatever the timing.
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => (commit = resolve));
    let rowsHeld!: () => void;
    const held = new Promise<void>((resolve) => (rowsHeld = resolve));
    const holder = db.stores.transaction(async (tx) => {
      await tx.trials.markEnqueued([...waves[0], ...waves[1]].map((t) => t.id));
      rowsHeld();
      await committing;
    });
    await held;

    const first = claim(waves[0]); // 40 claims in one turn of the event loop: one statement
    await nextTurn(); // that statement is in flight; the next claims form a second one
    const second = claim(waves[1]);
    await nextTurn(); // two in flight: what arrives from now on waits, and goes as one statement
    const third = claim(waves[2]);
    await nextTurn();
    const fourth = claim(waves[3]);
    commit();
    await holder;
    const claimed = await Promise.all([...first, ...second, ...third, ...fourth]);

    claimed.forEach((trial, i) => {
      assert.ok(trial, `claim ${i} got its trial`);
      assert.equal(trial.id, trials[i].id, `claim ${i} got its own trial back, not a neighbour's`);
      assert.equal(trial.sweepId, sweep.id);
      assert.equal(trial.attempts, 1);
      assert.equal(trial.spec.name, 'batched');
    });
    assert.deepEqual(
      [await claimStatements(waves[0]), await claimStatements(waves[1]), await claimStatements([...waves[2], ...waves[3]]), await claimStatements(trials)],
      [1, 1, 1, 3],
      'each of the first two waves is one statement; the two waves that came while both were in flight went together',
    );
    for (const trial of trials) {
      const row = await db.stores.trialReads.find(trial.id);
      assert.deepEqual([row?.status, row?.attempts, row?.workerId, row?.backend], ['running', 1, 'ledger-worker', 'simulated']);
    }
  });

  it("answers undefined to a claim of a finished trial, of a cancelled sweep's trial and of a missing one, in the batch of claims that succeed", async () => {
    const open = await seedSweep(db.stores, { trials: 2 });
    const paused = await seedSweep(db.stores, { trials: 1, status: 'paused' });
    // Moved to cancelled with its trial left queued: the sweep's status alone refuses the claim.
    const cancelled = await seedSweep(db.stores, { trials: 1, status: 'cancelled' });
    // Cancelled as the coordinator does it: its trial is cancelled too.
    const cancelledWithTrials = await seedSweep(db.stores, { trials: 1 });
    await cancelSweep(db.stores, cancelledWithTrials.sweep.id);
    const [finished, queued] = open.trials;
    await endTrials(db.stores, [finished], { status: 'completed', bestMetric: 0.5 });
    const missing = { id: randomUUID(), sweepId: open.sweep.id };

    const refs = [finished, queued, cancelled.trials[0], paused.trials[0], missing, cancelledWithTrials.trials[0]];
    const claimed = await Promise.all(refs.map((trial) => sut.claim(trial.id, trial.sweepId)));
    assert.deepEqual(
      claimed.map((trial) => trial?.id),
      [undefined, queued.id, undefined, paused.trials[0].id, undefined, undefined],
      'a paused sweep keeps running the trials it has',
    );
    assert.equal(await claimStatements([queued, paused.trials[0]]), 1, 'one statement answered them all');

    const state = async (trial: TrialRef) => {
      const row = await db.stores.trialReads.find(trial.id);
      return [row?.status, row?.attempts, row?.events.map((e) => e.type)];
    };
    assert.deepEqual(await state(finished), ['completed', 1, ['started', 'completed']], 'a finished trial never runs again');
    assert.deepEqual(await state(cancelled.trials[0]), ['queued', 0, []], "a cancelled sweep's trial is not started");
    assert.deepEqual(await state(cancelledWithTrials.trials[0]), ['cancelled', 0, ['cancelled']]);
    assert.deepEqual(await state(queued), ['running', 1, ['started']]);
  });

  it('ends a run only after its buffered metrics are written, and refuses the end of a superseded attempt', async () => {
    const { trials } = await seedSweep(db.stores, { trials: 1 });
    const claimed = await sut.claim(trials[0].id, trials[0].sweepId);
    assert.ok(claimed);
    services.metrics.add(claimed.sweepId, claimed.id, claimed.attempts, 1, { loss: 0.9, val_loss: 0.8 });
    assert.deepEqual(await db.stores.trialReads.metricPoints(claimed.id), [], 'buffered, not written (the timer is a minute away)');

    const [takeover] = await claimTrials(db.stores, [trials[0]], 'another-worker');
    const ending = { trialId: claimed.id, status: 'completed' as const, reason: 'done', bestMetric: 0.8, lastEpoch: 1 };
    assert.equal(await sut.end({ ...ending, attempt: claimed.attempts }), false, 'attempt 1 was superseded by the takeover');
    assert.deepEqual(await db.stores.trialReads.metricPoints(claimed.id), [], "the superseded run's points were dropped");

    services.metrics.add(takeover.sweepId, takeover.id, takeover.attempts, 1, { loss: 0.7, val_loss: 0.6 });
    assert.equal(await sut.end({ ...ending, attempt: takeover.attempts, bestMetric: 0.6 }), true);
    assert.deepEqual(await db.stores.trialReads.metricPoints(claimed.id), [
      { name: 'loss', epoch: 1, value: 0.7 },
      { name: 'val_loss', epoch: 1, value: 0.6 },
    ]);
    const row = await db.stores.trialReads.find(claimed.id);
    assert.deepEqual([row?.status, row?.bestMetric, row?.lastEpoch], ['completed', 0.6, 1]);
  });
});
