import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALGORITHM_TERMS, AlgorithmSchema, algorithmIssues } from './algorithm.schema';
import { parseSweepSpec } from './parse-sweep-spec';
import type { SweepSpecInput } from './sweep-spec.schema';

const SPEC: SweepSpecInput = {
  name: 'terms',
  dataset: { source: 'builtin', name: 'us-births-1969-1988' },
  model: 'simulated',
  objective: { metric: 'val_loss', direction: 'minimize' },
  algorithm: { type: 'random' },
  budget: { maxTrials: 4, maxConcurrent: 2, maxEpochsPerTrial: 5 },
};

describe('ALGORITHM_TERMS', () => {
  it('has one entry per algorithm type of the schema', () => {
    assert.deepEqual(Object.keys(ALGORITHM_TERMS), AlgorithmSchema.options.map((o) => o.shape.type.value));
  });

  it('refuses a warm start for an algorithm that does not learn from results, naming those that do', () => {
    const spec = parseSweepSpec(SPEC);
    assert.deepEqual(algorithmIssues({ ...spec, warmStartFrom: '0b7e1c7e-0000-4000-8000-000000000000' }, { dimensions: {}, conditionsHold: true }), [
      { path: ['warmStartFrom'], message: 'only tpe learns from earlier results; random search would ignore them' },
    ]);
  });

  it('leaves a grid with conditional dimensions to the condition checks while those fail', () => {
    const spec = parseSweepSpec({ ...SPEC, algorithm: { type: 'grid' } });
    const dimensions = { dropout: { type: 'float' as const, min: 0, max: 0.5, step: 0.1, when: { layers: { gt: 1 } } } };
    assert.equal(algorithmIssues(spec, { dimensions, conditionsHold: false }).length, 0);
    assert.match(algorithmIssues(spec, { dimensions, conditionsHold: true })[0].message, /grid search does not take conditional/);
  });
});
