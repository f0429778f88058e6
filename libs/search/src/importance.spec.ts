import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hyperparameterImportance, type ImportanceFeature } from './importance';

const FEATURES: ImportanceFeature[] = [
  { name: 'learningRate', kind: 'log' },
  { name: 'dropout', kind: 'linear' },
  { name: 'cell', kind: 'category', categories: ['lstm', 'gru', 'rnn'] },
];

/** An objective that depends strongly on the learning rate's logarithm, a little on the cell, not at all on dropout. */
function trials(count: number) {
  let state = 99;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return Array.from({ length: count }, () => {
    const learningRate = 10 ** (-4 + 3 * random());
    const dropout = 0.5 * random();
    const cell = ['lstm', 'gru', 'rnn'][Math.floor(random() * 3)];
    const objective = (Math.log10(learningRate) + 2.5) ** 2 + (cell === 'rnn' ? 0.3 : 0) + 0.02 * random();
    return { values: [learningRate, dropout, cell], objective };
  });
}

describe(hyperparameterImportance.name, () => {
  it('ranks the hyperparameters by how much the objective depends on them, seeded', () => {
    const result = hyperparameterImportance(FEATURES, trials(200));
    assert.deepEqual(result.parameters.map((p) => p.name), ['learningRate', 'cell', 'dropout']);
    assert.ok(result.parameters[0].importance > 0.7, JSON.stringify(result.parameters));
    assert.ok(Math.abs(result.parameters.reduce((sum, p) => sum + p.importance, 0) - 1) < 1e-9);
    assert.equal(result.trained + result.measured, 200);
    assert.match(result.method, /permutation importance of a random forest/);
    assert.deepEqual(hyperparameterImportance(FEATURES, trials(200)), result, 'the same trials, the same answer');
  });

  it('refuses too few trials and a sweep that searches nothing', () => {
    assert.throws(() => hyperparameterImportance(FEATURES, trials(5)), /at least 10 finished trials; there are 5/);
    assert.throws(() => hyperparameterImportance([], trials(20)), /searches no hyperparameter/);
  });
});
