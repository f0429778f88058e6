import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Direction } from '@tuneforge/contracts';
import { activeOnly, type Assignment, type SearchSpace } from './dimension';
import { sampleRandom } from './random.sampler';
import type { Observation } from './sampler';
import { deriveTrialSeed } from './seeds';
import { suggestTpe, TPE_DEFAULTS, type TpeOptions } from './tpe.sampler';

/**
 * Suggestions recorded from the TPE sampler before its history was bounded (issue 16), for histories
 * within the bound: the bounded sampler must give exactly these. TPE_GOLDEN_WRITE=1 records them again.
 */
const GOLDEN_FILE = join(__dirname, 'tpe.golden.json');

interface Scenario {
  name: string;
  space: SearchSpace;
  observations: Observation[];
  pending: Assignment[];
  direction: Direction;
  options: TpeOptions;
  seeds: number[];
}

const MIXED: SearchSpace = {
  learningRate: { type: 'float', min: 1e-4, max: 1e-1, log: true },
  hiddenUnits: { type: 'int', min: 8, max: 256, log: true },
  dropout: { type: 'float', min: 0, max: 0.5 },
  layers: { type: 'choice', values: [1, 2, 3] },
};
const STEPPED: SearchSpace = { w: { type: 'int', min: 7, max: 56, step: 7 }, d: { type: 'float', min: 0, max: 0.5, step: 0.1 }, c: { type: 'choice', values: ['a', 'b', 'c'] } };
const CONDITIONAL: SearchSpace = {
  layers: { type: 'choice', values: [1, 2] },
  units1: { type: 'int', min: 8, max: 128 },
  units2: { type: 'int', min: 8, max: 128, when: { layers: { gt: 1 } } },
};

function valueOf(a: Assignment): number {
  let total = 0;
  for (const v of Object.values(a)) total += typeof v === 'number' ? Math.sin(v * 7.3) + Math.log1p(Math.abs(v)) : String(v).charCodeAt(0) / 100;
  return total;
}

function history(space: SearchSpace, sweepSeed: number, n: number, from = 0): Observation[] {
  return Array.from({ length: n }, (_, i) => {
    const assignment = activeOnly(space, sampleRandom(space, deriveTrialSeed(sweepSeed, from + i)));
    return { assignment, value: valueOf(assignment) };
  });
}

function scenarios(): Scenario[] {
  const seeds = [1, 2, 3, 99, 4242, 2 ** 31 + 5];
  const base = { pending: [], direction: 'minimize' as const, options: TPE_DEFAULTS, seeds };
  return [
    { ...base, name: 'mixed space, 60 results', space: MIXED, observations: history(MIXED, 11, 60) },
    { ...base, name: 'mixed space, 40 results and 8 pending', space: MIXED, observations: history(MIXED, 12, 40), pending: history(MIXED, 12, 8, 40).map((o) => o.assignment) },
    { ...base, name: 'steps and choices (repeated values), maximize, 120 results', space: STEPPED, observations: history(STEPPED, 13, 120), direction: 'maximize' },
    { ...base, name: 'conditional dimension, 80 results', space: CONDITIONAL, observations: history(CONDITIONAL, 14, 80) },
    { ...base, name: 'mixed space, 400 results (kernel widths at their floor)', space: MIXED, observations: history(MIXED, 15, 400) },
    { ...base, name: 'start-up (fewer results than startupTrials)', space: MIXED, observations: history(MIXED, 16, 9) },
    { ...base, name: '2 start-up trials, 5 candidates', space: MIXED, observations: history(MIXED, 17, 30), options: { startupTrials: 2, candidates: 5 } },
  ];
}

function suggestionsOf(scenario: Scenario): Assignment[] {
  return scenario.seeds.map((seed) => suggestTpe(scenario.space, scenario.observations, scenario.pending, scenario.direction, seed, scenario.options));
}

describe('TPE suggestions within the history bound', () => {
  if (process.env.TPE_GOLDEN_WRITE) {
    writeFileSync(GOLDEN_FILE, `${JSON.stringify(Object.fromEntries(scenarios().map((s) => [s.name, suggestionsOf(s)])), null, 1)}\n`);
    return;
  }
  const golden = JSON.parse(readFileSync(GOLDEN_FILE, 'utf8')) as Record<string, Assignment[]>;
  for (const scenario of scenarios()) {
    it(`are those of the unbounded sampler: ${scenario.name}`, () => {
      assert.deepEqual(suggestionsOf(scenario), golden[scenario.name]);
    });
  }
});
