import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Direction } from '@tuneforge/contracts';
import type { Assignment, SearchSpace } from './dimension';
import { sampleRandom } from './random.sampler';
import { deriveTrialSeed } from './seeds';
import type { HistoryWindow, Observation } from './sampler';
import { suggestTpe, TPE_BAD_MAX, TPE_DEFAULTS, TPE_GOOD_MAX, TpeSampler, tpeHistoryWindow } from './tpe.sampler';

const SPACE: SearchSpace = {
  learningRate: { type: 'float', min: 1e-4, max: 1e-1, log: true },
  hiddenUnits: { type: 'int', min: 8, max: 256, log: true },
  layers: { type: 'choice', values: [1, 2, 3] },
};

/** A known function with its minimum 0 at learningRate 3e-3, 96 units, 2 layers. */
function objective(a: Assignment): number {
  return (Math.log10(a.learningRate as number) - Math.log10(3e-3)) ** 2 + (Math.log2(a.hiddenUnits as number) - Math.log2(96)) ** 2 / 4 + (a.layers === 2 ? 0 : 0.5);
}

function run(sampler: 'tpe' | 'random', seed: number, trials: number): number[] {
  const observations: Observation[] = [];
  for (let n = 0; n < trials; n++) {
    const trialSeed = deriveTrialSeed(seed, n);
    const assignment = sampler === 'tpe' ? suggestTpe(SPACE, observations, [], 'minimize', trialSeed) : sampleRandom(SPACE, trialSeed);
    observations.push({ assignment, value: objective(assignment) });
  }
  return observations.map((o) => o.value);
}

describe(suggestTpe.name, () => {
  it('finds better values than random search on a known function, over 12 seeds', () => {
    let tpeWins = 0;
    let tpeTotal = 0;
    let randomTotal = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const bestOf = (values: number[]) => Math.min(...values);
      const tpe = bestOf(run('tpe', seed, 50));
      const random = bestOf(run('random', seed, 50));
      tpeTotal += tpe;
      randomTotal += random;
      if (tpe < random) tpeWins++;
    }
    assert.ok(tpeWins >= 9, `TPE won ${tpeWins} of 12`);
    assert.ok(tpeTotal < randomTotal / 2, `mean best: TPE ${tpeTotal / 12}, random ${randomTotal / 12}`);
  });

  it('concentrates its later samples near the optimum', () => {
    const lateMean = (sampler: 'tpe' | 'random') => {
      let total = 0;
      for (let seed = 1; seed <= 8; seed++) total += run(sampler, seed, 50).slice(30).reduce((a, b) => a + b, 0) / 20;
      return total / 8;
    };
    assert.ok(lateMean('tpe') < lateMean('random') / 2, `late samples: TPE ${lateMean('tpe')}, random ${lateMean('random')}`);
  });

  it('is random during start-up and deterministic for the same history and seed', () => {
    assert.deepEqual(suggestTpe(SPACE, [], [], 'minimize', 7), sampleRandom(SPACE, 7));
    const history = Array.from({ length: 20 }, (_, n) => {
      const assignment = sampleRandom(SPACE, deriveTrialSeed(3, n));
      return { assignment, value: objective(assignment) };
    });
    assert.deepEqual(suggestTpe(SPACE, history, [], 'minimize', 99), suggestTpe(SPACE, history, [], 'minimize', 99));
  });

  it('steers simultaneous suggestions apart with pending trials as liars', () => {
    const history = Array.from({ length: 30 }, (_, n) => {
      const assignment = sampleRandom(SPACE, deriveTrialSeed(5, n));
      return { assignment, value: objective(assignment) };
    });
    const pending: Assignment[] = [];
    const suggestions = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const s = suggestTpe(SPACE, history, pending, 'minimize', 1234); // the same seed on purpose
      pending.push(s);
      suggestions.add(JSON.stringify(s));
    }
    assert.ok(suggestions.size >= 4, `${suggestions.size} distinct suggestions of 6`);
  });

  it('keeps suggestions inside the space, on steps and choices', () => {
    const space: SearchSpace = { w: { type: 'int', min: 7, max: 56, step: 7 }, d: { type: 'float', min: 0, max: 0.5, step: 0.1 }, c: { type: 'choice', values: ['a', 'b'] } };
    const history = Array.from({ length: 15 }, (_, n) => ({ assignment: sampleRandom(space, n), value: n }));
    for (let seed = 0; seed < 50; seed++) {
      const s = suggestTpe(space, history, [], 'maximize', seed);
      assert.ok([7, 14, 21, 28, 35, 42, 49, 56].includes(s.w as number), `w ${s.w}`);
      assert.ok([0, 0.1, 0.2, 0.3, 0.4, 0.5].includes(s.d as number), `d ${s.d}`);
      assert.ok(['a', 'b'].includes(s.c as string));
    }
  });

  describe('history window', () => {
    /** A long history whose values repeat (rounded), so ties fall on the good set's edge. */
    const longHistory = (n: number, seed: number): Observation[] =>
      Array.from({ length: n }, (_, i) => {
        const assignment = sampleRandom(SPACE, deriveTrialSeed(seed, i));
        return { assignment, value: Math.round(objective(assignment) * 20) / 20 };
      });
    /** What the coordinator reads (TrialStore.searchHistory): the best results (ties oldest first), the newest ones, oldest first; the newest pending. */
    const windowOf = (observations: Observation[], pending: Assignment[], window: HistoryWindow, direction: Direction) => {
      const sign = direction === 'minimize' ? 1 : -1;
      const best = observations.map((_, i) => i).sort((a, b) => sign * (observations[a].value - observations[b].value) || a - b).slice(0, window.best);
      const newest = observations.map((_, i) => i).slice(-window.newest);
      const kept = [...new Set([...best, ...newest])].sort((a, b) => a - b);
      return { observations: kept.map((i) => observations[i]), pending: pending.slice(-window.pending) };
    };

    it('is the best 25, the newest 1,025 results and the newest 1,000 pending, or all start-up trials', () => {
      assert.deepEqual(tpeHistoryWindow(TPE_DEFAULTS), { best: TPE_GOOD_MAX, newest: TPE_BAD_MAX + TPE_GOOD_MAX, pending: TPE_BAD_MAX });
      assert.deepEqual(tpeHistoryWindow({ startupTrials: 5_000, candidates: 24 }).newest, 5_000);
      assert.equal(new TpeSampler({ type: 'tpe', startupTrials: 10, candidates: 24 }, SPACE, 100).historyWindow.newest, 1_025);
    });

    for (const direction of ['minimize', 'maximize'] as const) {
      it(`gives the same suggestions from its window as from the whole history (${direction})`, () => {
        const observations = longHistory(4_000, 21);
        const pending = longHistory(1_200, 22).map((o) => o.assignment);
        const window = windowOf(observations, pending, tpeHistoryWindow(TPE_DEFAULTS), direction);
        assert.ok(window.observations.length < 1_100, `the window holds ${window.observations.length} results`);
        for (const seed of [1, 2, 3]) {
          assert.deepEqual(suggestTpe(SPACE, window.observations, window.pending, direction, seed), suggestTpe(SPACE, observations, pending, direction, seed), `seed ${seed}`);
        }
      });
    }

    it('forgets results outside the window: changing them changes nothing', () => {
      const observations = longHistory(3_000, 23);
      const changed = observations.map((o, i) => (i < 1_500 && o.value > 0.5 ? { assignment: sampleRandom(SPACE, i + 1), value: o.value + 1 } : o));
      for (const seed of [4, 5]) assert.deepEqual(suggestTpe(SPACE, changed, [], 'minimize', seed), suggestTpe(SPACE, observations, [], 'minimize', seed));
    });

    it('costs no more per suggestion at 50,000 results than at 1,100 (each read through its window)', () => {
      const timeOf = (n: number) => {
        const { observations } = windowOf(longHistory(n, 24), [], tpeHistoryWindow(TPE_DEFAULTS), 'minimize');
        suggestTpe(SPACE, observations, [], 'minimize', 0);
        const times = [1, 2, 3, 4, 5].map((seed) => {
          const started = performance.now();
          suggestTpe(SPACE, observations, [], 'minimize', seed);
          return performance.now() - started;
        });
        return times.sort((a, b) => a - b)[2];
      };
      const small = timeOf(1_100);
      const large = timeOf(50_000);
      assert.ok(large < small * 3 + 5, `median ms per suggestion: ${small.toFixed(2)} at 1,100 results, ${large.toFixed(2)} at 50,000`);
    });
  });
});

