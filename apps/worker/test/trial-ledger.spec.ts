import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TrialRef } from '@tuneforge/persistence';
import { aParsedSweepSpec, claimTrials, endTrials, seedSweep } from '@tuneforge/testing';
import { TrialLedger } from '../src/trial-ledger.service';
import { TestStores, WorkerServices } from './support/worker-services';

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
    const startedAt = new Set<number>();
    for (const trial of trials) {
      const row = await db.stores.trialReads.find(trial.id);
      assert.ok(row?.startedAt, `trial ${trial.id} was claimed`);
      startedAt.add(row.startedAt.getTime());
    }
    return startedAt.size;
  };

  it('turns many concurrent claims into few statements, and gives every claim its own trial', async () => {
    const { sweep, trials } = await seedSweep(db.stores, { trials: 120, spec: aParsedSweepSpec({ name: 'batched', model: 'simulated' }) });
    const claim = (refs: readonly TrialRef[]) => refs.map((trial) => sut.claim(trial.id, trial.sweepId));
    // 40 claims in one turn of the event loop go as one statement.
    const first = claim(trials.slice(0, 40));
    await nextTurn(); // that statement is in flight; the next claims form a second one
    const second = claim(trials.slice(40, 80));
    await nextTurn(); // two in flight: what arrives now waits and goes together
    const third = claim(trials.slice(80, 100));
    await nextTurn();
    const fourth = claim(trials.slice(100));
    const claimed = await Promise.all([...first, ...second, ...third, ...fourth]);

    claimed.forEach((trial, i) => {
      assert.ok(trial, `claim ${i} got its trial`);
      assert.equal(trial.id, trials[i].id, `claim ${i} got its own trial back, not a neighbour's`);
      assert.equal(trial.sweepId, sweep.id);
      assert.equal(trial.attempts, 1);
      assert.equal(trial.spec.name, 'batched');
    });
    assert.equal(await claimStatements(trials.slice(0, 40)), 1, 'the claims of one turn are one statement');
    const statements = await claimStatements(trials);
    assert.ok(statements <= 3, `120 claims ran as ${statements} statements (at most 3: two in flight, the rest gathered behind them)`);
    for (const trial of trials) {
      const row = await db.stores.trialReads.find(trial.id);
      assert.deepEqual([row?.status, row?.attempts, row?.workerId, row?.backend], ['running', 1, 'ledger-worker', 'simulated']);
    }
  });

  it("answers undefined to a claim of a finished trial, of a cancelled sweep's trial and of a missing one, in the batch of claims that succeed", async () => {
    const open = await seedSweep(db.stores, { trials: 2 });
    const paused = await seedSweep(db.stores, { trials: 1, status: 'paused' });
    const cancelled = await seedSweep(db.stores, { trials: 1, status: 'cancelled' });
    const [finished, queued] = open.trials;
    await endTrials(db.stores, [finished], { status: 'completed', bestMetric: 0.5 });
    const missing = { id: randomUUID(), sweepId: open.sweep.id };

    const refs = [finished, queued, cancelled.trials[0], paused.trials[0], missing];
    const claimed = await Promise.all(refs.map((trial) => sut.claim(trial.id, trial.sweepId)));
    assert.deepEqual(
      claimed.map((trial) => trial?.id),
      [undefined, queued.id, undefined, paused.trials[0].id, undefined],
      'a paused sweep keeps running the trials it has',
    );
    assert.equal(await claimStatements([queued, paused.trials[0]]), 1, 'one statement answered them all');

    const state = async (trial: TrialRef) => {
      const row = await db.stores.trialReads.find(trial.id);
      return [row?.status, row?.attempts, row?.events.map((e) => e.type)];
    };
    assert.deepEqual(await state(finished), ['completed', 1, ['started', 'completed']], 'a finished trial never runs again');
    assert.deepEqual(await state(cancelled.trials[0]), ['queued', 0, []], "a cancelled sweep's trial is not started");
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
