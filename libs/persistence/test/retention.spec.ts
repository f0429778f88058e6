import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FinishedTrialStatus } from '@tuneforge/contracts';
import { aParsedSweepSpec, claimTrials, seedRun, seedSweep, TestStores, trialsOfSweep } from '@tuneforge/testing';
import { CheckpointEntity, type Stores, type TrialRef } from '../src';

const BYTES = Buffer.alloc(100, 7);

describe('CheckpointStore.dropOutsideBest: checkpoint retention', () => {
  let db: TestStores;
  let stores: Stores;

  before(async () => {
    db = await TestStores.open('retention');
    stores = db.stores;
  });
  after(() => db?.close());

  /** A run that saves a checkpoint at epoch 1 and, with `end`, ends as it says. */
  const run = (trial: TrialRef, end?: { status: FinishedTrialStatus; bestMetric: number | null }) =>
    seedRun(stores, trial, { checkpoint: { epoch: 1, format: 'test', bytes: BYTES, bestMetric: end ? end.bestMetric : 0.001, bestEpoch: 1 }, end });
  /** Trial numbers that still have checkpoints. */
  const withCheckpoints = async (sweepId: string) => {
    const trials = await trialsOfSweep(stores, sweepId);
    const kept = new Set((await stores.manager.find(CheckpointEntity, { select: ['trialId'] })).map((c) => c.trialId));
    return trials.filter((t) => kept.has(t.id)).map((t) => t.number);
  };

  it('keeps the checkpoints of the best N scored trials and of active ones; finished trials outside them, scored or not, lose theirs', async () => {
    const { sweep, trials } = await seedSweep(stores, { trials: 9 });
    const results: (readonly [FinishedTrialStatus, number | null])[] = [
      ['completed', 0.5],
      ['completed', 0.2],
      ['completed', 0.9],
      ['pruned', 0.1],
      ['failed', null],
      ['cancelled', null],
      ['completed', null],
    ];
    for (const [i, [status, bestMetric]] of results.entries()) await run(trials[i], { status, bestMetric });
    // Trial 7 runs with the best value so far; trial 8 was handed back (queued, to resume from its checkpoint).
    await run(trials[7]);
    const handedBack = await run(trials[8]);
    assert.ok(await stores.trials.handBack({ trialId: handedBack.id, attempt: handedBack.attempts }, 'worker stopping'));

    const dropped = await stores.checkpoints.dropOutsideBest(sweep.id, 'minimize', 2);
    assert.deepEqual(await withCheckpoints(sweep.id), [1, 3, 7, 8], 'the best two (0.1 pruned, 0.2), the running and the queued trial');
    assert.deepEqual(dropped, { checkpoints: 5, bytes: 5 * BYTES.length });
    assert.deepEqual(await stores.checkpoints.dropOutsideBest(sweep.id, 'minimize', 2), { checkpoints: 0, bytes: 0 }, 'a second pass finds nothing');
  });

  it('drops the checkpoints of a trial pushed out of the best N by a better one that ends later', async () => {
    const { sweep, trials } = await seedSweep(stores, { trials: 4 });
    await run(trials[0], { status: 'completed', bestMetric: 0.4 });
    await run(trials[1], { status: 'completed', bestMetric: 0.3 });
    await run(trials[2]);
    await stores.checkpoints.dropOutsideBest(sweep.id, 'minimize', 2);
    assert.deepEqual(await withCheckpoints(sweep.id), [0, 1, 2]);

    // Trial 2 ends best; trial 0 is now third.
    const [claimed] = await claimTrials(stores, [trials[2]]);
    await stores.trials.end([{ trialId: claimed.id, attempt: claimed.attempts, status: 'completed', reason: 'done', bestMetric: 0.1, lastEpoch: 1 }]);
    await stores.checkpoints.dropOutsideBest(sweep.id, 'minimize', 2);
    assert.deepEqual(await withCheckpoints(sweep.id), [1, 2]);
  });

  it('ranks by the objective direction: the largest values when maximizing', async () => {
    const spec = aParsedSweepSpec({ objective: { metric: 'val_loss', direction: 'maximize' } });
    const { sweep, trials } = await seedSweep(stores, { spec, trials: 3 });
    for (const [i, value] of [0.2, 0.9, 0.5].entries()) await run(trials[i], { status: 'completed', bestMetric: value });
    await stores.checkpoints.dropOutsideBest(sweep.id, 'maximize', 1);
    assert.deepEqual(await withCheckpoints(sweep.id), [1]);
  });

  it('lets passes of the same sweep overlap: together they drop each checkpoint once', async () => {
    const { sweep, trials } = await seedSweep(stores, { trials: 30 });
    for (const [i, trial] of trials.entries()) await run(trial, { status: 'completed', bestMetric: i });
    const passes = await Promise.all(Array.from({ length: 4 }, () => stores.checkpoints.dropOutsideBest(sweep.id, 'minimize', 3)));
    assert.equal(passes.reduce((n, p) => n + p.checkpoints, 0), 27);
    assert.deepEqual(await withCheckpoints(sweep.id), [0, 1, 2]);
  });

  it("leaves other sweeps' checkpoints alone", async () => {
    const ours = await seedSweep(stores, { trials: 2 });
    const theirs = await seedSweep(stores, { trials: 2 });
    for (const { trials } of [ours, theirs]) for (const [i, trial] of trials.entries()) await run(trial, { status: 'completed', bestMetric: i });
    await stores.checkpoints.dropOutsideBest(ours.sweep.id, 'minimize', 1);
    assert.deepEqual(await withCheckpoints(ours.sweep.id), [0]);
    assert.deepEqual(await withCheckpoints(theirs.sweep.id), [0, 1]);
  });
});
