import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TRIAL_STATUSES, trialConfigOf, type TrialCounts } from '@tuneforge/contracts';
import type { Stores, TrialRef } from '@tuneforge/persistence';
import { aParsedSweepSpec, claimTrials, endTrials, lowestAssignment, seedSweep, TestStores, trialsOfSweep } from '@tuneforge/testing';
import { TrialCountCache } from '../src/sweeps/trial-counts';

describe(TrialCountCache.name, () => {
  let db: TestStores;
  let stores: Stores;

  before(async () => {
    db = await TestStores.open('trial_counts');
    stores = db.stores;
  });
  after(() => db?.close());

  /** Counted the plain way: every trial of the sweep. */
  const counted = async (sweepId: string): Promise<TrialCounts> => {
    const counts = Object.fromEntries([['total', 0], ...TRIAL_STATUSES.map((s) => [s, 0])]) as unknown as TrialCounts;
    for (const trial of await trialsOfSweep(stores, sweepId)) {
      counts[trial.status] += 1;
      counts.total += 1;
    }
    return counts;
  };

  it('counts as a full count does while trials start, end, straggle and are created, read after read', async () => {
    const spec = aParsedSweepSpec({ budget: { maxTrials: 1_000, maxConcurrent: 100, maxEpochsPerTrial: 1 } });
    const { sweep, trials } = await seedSweep(stores, { spec, trials: 30 });
    const other = await seedSweep(stores, { spec, trials: 5 });
    const all: TrialRef[] = [...trials];
    const sut = new TrialCountCache(stores);
    const check = async (when: string) => {
      const counts = await sut.countsOf([sweep.id, other.sweep.id]);
      assert.deepEqual(counts.get(sweep.id), await counted(sweep.id), when);
      assert.deepEqual(counts.get(other.sweep.id), await counted(other.sweep.id), when);
    };
    await check('at first');
    await claimTrials(stores, all.slice(0, 12));
    await check('12 running');
    // Trial 2 straggles: it runs on while later trials end, so the frontier stays behind them.
    await endTrials(stores, [...all.slice(0, 2), ...all.slice(3, 10)], { bestMetric: 0.5 });
    await check('9 ended, trial 2 still running');
    await endTrials(stores, all.slice(10, 20), { status: 'pruned', bestMetric: 0.7 });
    await endTrials(stores, all.slice(20, 22), { status: 'failed' });
    await check('more ended past the straggler');
    await endTrials(stores, [all[2]], { bestMetric: 0.1 });
    await check('the straggler ended: the frontier jumps');
    await stores.transaction(async (tx) => {
      all.push(...(await tx.trials.insertMany(sweep.id, [30, 31, 32].map((number) => ({ number, seed: number, config: trialConfigOf(spec, lowestAssignment(spec)) })))));
      await tx.sweeps.addCreated(sweep.id, 3);
    });
    await check('3 more created');
    await endTrials(stores, all.slice(22), { status: 'completed', bestMetric: 0.3 });
    await check('every trial ended');
    const [first, second] = await Promise.all([sut.countsOf([sweep.id]), sut.countsOf([sweep.id])]);
    assert.deepEqual(first, second, 'reads at the same time agree');
    assert.deepEqual(await new TrialCountCache(stores).countsOf([sweep.id]), first, 'a fresh cache (another replica) agrees');
  });
});
