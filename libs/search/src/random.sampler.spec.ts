import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activeOnly, type SearchSpace } from './dimension';
import { sampleRandom } from './random.sampler';
import { deriveTrialSeed } from './seeds';

const SPACE: SearchSpace = {
  hiddenUnits: { type: 'int', min: 16, max: 128, log: true },
  layers: { type: 'choice', values: [1, 2] },
  dropout: { type: 'float', min: 0, max: 0.5 },
  learningRate: { type: 'float', min: 0.0001, max: 0.01, log: true },
  window: { type: 'int', min: 7, max: 56, step: 7 },
  clip: { type: 'float', min: 0.5, max: 2, step: 0.25 },
};

const samples = Array.from({ length: 4000 }, (_, i) => sampleRandom(SPACE, deriveTrialSeed(42, i)));

describe(sampleRandom.name, () => {
  it('gives the same values for the same seed', () => {
    assert.deepEqual(sampleRandom(SPACE, 1234), sampleRandom(SPACE, 1234));
    assert.notDeepEqual(sampleRandom(SPACE, 1234), sampleRandom(SPACE, 1235));
  });

  it('stays inside every dimension, on its step', () => {
    for (const s of samples) {
      assert.ok(Number.isInteger(s.hiddenUnits) && (s.hiddenUnits as number) >= 16 && (s.hiddenUnits as number) <= 128);
      assert.ok([1, 2].includes(s.layers as number));
      assert.ok((s.dropout as number) >= 0 && (s.dropout as number) < 0.5);
      assert.ok((s.learningRate as number) >= 0.0001 && (s.learningRate as number) <= 0.01);
      assert.ok([7, 14, 21, 28, 35, 42, 49, 56].includes(s.window as number));
      assert.ok([0.5, 0.75, 1, 1.25, 1.5, 1.75, 2].includes(s.clip as number));
    }
  });

  it('reaches both ends of int and choice dimensions', () => {
    const units = new Set(samples.map((s) => s.hiddenUnits));
    assert.ok(units.has(16) && units.has(128));
    assert.equal(new Set(samples.map((s) => s.window)).size, 8);
  });

  it('samples log dimensions uniformly in log space (median near the geometric mean)', () => {
    const rates = samples.map((s) => s.learningRate as number).sort((a, b) => a - b);
    const median = rates[rates.length / 2];
    assert.ok(median > 0.0007 && median < 0.0014, `median ${median} should be near 0.001`);
    const belowTenth = rates.filter((r) => r < 0.001).length / rates.length;
    assert.ok(Math.abs(belowTenth - 0.5) < 0.05, `${belowTenth} of samples below 1e-3`);
  });

  it('samples linear dimensions uniformly', () => {
    const mean = samples.reduce((sum, s) => sum + (s.dropout as number), 0) / samples.length;
    assert.ok(Math.abs(mean - 0.25) < 0.015, `mean dropout ${mean}`);
  });
});

describe(deriveTrialSeed.name, () => {
  it('gives distinct uint32 seeds to a sweep\'s trials and depends on the sweep seed', () => {
    const seeds = Array.from({ length: 10_000 }, (_, i) => deriveTrialSeed(42, i));
    assert.equal(new Set(seeds).size, seeds.length);
    assert.ok(seeds.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32));
    assert.notEqual(deriveTrialSeed(42, 0), deriveTrialSeed(43, 0));
  });
});

describe('conditional dimensions', () => {
  const space: SearchSpace = {
    layers: { type: 'choice', values: [1, 2] },
    'units.1': { type: 'int', min: 8, max: 64, when: { layers: { gte: 2 } } },
    dropout: { type: 'choice', values: [0, 0.25] },
    recurrentDropout: { type: 'float', min: 0, max: 0.3, when: { dropout: { gt: 0 } } },
  };
  it('draw a child only when its condition holds', () => {
    for (let seed = 0; seed < 200; seed++) {
      const s = sampleRandom(space, seed);
      assert.equal(s['units.1'] !== undefined, s.layers === 2);
      assert.equal(s.recurrentDropout !== undefined, s.dropout === 0.25);
    }
  });

  it('drop the stored values of dimensions that are off', () => {
    assert.deepEqual(activeOnly(space, { layers: 1, 'units.1': 32, dropout: 0, recurrentDropout: 0 }), { layers: 1, dropout: 0 });
  });
});

