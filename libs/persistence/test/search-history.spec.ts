import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { aParsedSweepSpec, claimTrials, endTrials, seedSweep, TestStores } from '@tuneforge/testing';
import type { Stores, TrialRef } from '../src';

/** A sweep with `count` trials; `ending(number)` says how each ends (undefined: stays queued). */
type Ending = { status: 'completed' | 'pruned' | 'failed'; value: number | null } | 'running' | undefined;

describe('TrialStore.searchHistory: the window of a sweep a sampler reads', () => {
  let db: TestStores;
  let stores: Stores;

  before(async () => {
    db = await TestStores.open('search_history');
    stores = db.stores;
  });
  after(() => db?.close());

  const sweepWith = async (count: number, ending: (number: number) => Ending): Promise<string> => {
    const spec = aParsedSweepSpec({ algorithm: { type: 'tpe' }, budget: { maxTrials: count, maxConcurrent: count, maxEpochsPerTrial: 1 } });
    const { sweep, trials } = await seedSweep(stores, { spec, trials: count });
    const of = (pick: (e: Ending) => boolean) => trials.filter((_, number) => pick(ending(number)));
    const values = new Map(trials.map((t, number) => [t.id, ending(number)]));
    for (const status of ['completed', 'pruned', 'failed'] as const) {
      const ended: TrialRef[] = of((e) => typeof e === 'object' && e.status === status);
      await endTrials(stores, ended, { status, bestMetric: (t) => (values.get(t.id) as { value: number | null }).value });
    }
    await claimTrials(stores, of((e) => e === 'running'));
    return sweep.id;
  };
  const numbers = (rows: { number: number }[]) => rows.map((r) => r.number);

  it('reads every result oldest first and every trial in flight when the window holds them all', async () => {
    // 0-9 completed (value 10 - n), 10 pruned, 11 failed, 12 completed without a value, 13-14 running, 15-16 queued.
    const id = await sweepWith(17, (n) =>
      n < 10 ? { status: 'completed', value: 10 - n } : n === 10 ? { status: 'pruned', value: 0.5 } : n === 11 ? { status: 'failed', value: null } : n === 12 ? { status: 'completed', value: null } : n < 15 ? 'running' : undefined,
    );
    const all = await stores.trials.searchHistory({ sweepId: id }, { best: 25, newest: 100, pending: 100 }, 'minimize');
    assert.deepEqual(numbers(all.results), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(all.results.map((r) => r.bestMetric), [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0.5]);
    assert.deepEqual(numbers(all.pending), [13, 14, 15, 16]);
  });

  it('reads only the best and the newest results and the newest trials in flight, best ties oldest first, for either direction', async () => {
    // Values repeat every 5 trials: 0 1 2 3 4 0 1 2 3 4 ...; 40 results, then 6 queued.
    const id = await sweepWith(46, (n) => (n < 40 ? { status: 'completed', value: n % 5 } : undefined));
    const window = { best: 3, newest: 4, pending: 2 };
    const low = await stores.trials.searchHistory({ sweepId: id }, window, 'minimize');
    assert.deepEqual(numbers(low.results), [0, 5, 10, 36, 37, 38, 39], 'the three lowest (ties oldest first) and the four newest, oldest first');
    assert.deepEqual(numbers(low.pending), [44, 45]);
    const high = await stores.trials.searchHistory({ sweepId: id }, window, 'maximize');
    assert.deepEqual(numbers(high.results), [4, 9, 14, 36, 37, 38, 39]);
  });

  it("counts a warm start's results as older than the sweep's own, and reads its newest only when the sweep's own do not fill the window", async () => {
    const earlier = await sweepWith(6, (n) => ({ status: 'completed', value: n === 5 ? -1 : 10 + n }));
    const own = await sweepWith(4, (n) => (n < 3 ? { status: 'completed', value: n } : 'running'));
    const sweeps = { sweepId: own, warmStartFrom: earlier };
    const wide = await stores.trials.searchHistory(sweeps, { best: 25, newest: 100, pending: 10 }, 'minimize');
    assert.deepEqual(
      wide.results.map((r) => [r.sweepId === own ? 'own' : 'warm', r.number]),
      [...[0, 1, 2, 3, 4, 5].map((n) => ['warm', n]), ...[0, 1, 2].map((n) => ['own', n])],
    );
    assert.deepEqual(numbers(wide.pending), [3], "only the sweep's own trials are in flight");
    const narrow = await stores.trials.searchHistory(sweeps, { best: 1, newest: 4, pending: 10 }, 'minimize');
    assert.deepEqual(
      narrow.results.map((r) => [r.sweepId === own ? 'own' : 'warm', r.number]),
      [
        ['warm', 5],
        ['own', 0],
        ['own', 1],
        ['own', 2],
      ],
      "the best is the warm start's; the newest four are the sweep's three and the warm start's newest, which is that best",
    );
  });
});
