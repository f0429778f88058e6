import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Assignment, SearchSpace } from './dimension';
import { sampleRandom } from './random.sampler';
import { deriveTrialSeed } from './seeds';
import type { Observation } from './sampler';
import { suggestTpe } from './tpe.sampler';

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
});
