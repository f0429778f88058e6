import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeByChoice } from './choice-summary';
import type { TrialPointsDto } from './dashboard';

const points: TrialPointsDto = {
  sweepId: 's',
  objective: { metric: 'val_accuracy', direction: 'maximize' },
  total: 6,
  parameters: ['cell', 'hiddenUnits'],
  trials: [
    { id: 'a', number: 1, status: 'completed', objective: 0.8, epochs: 3, values: ['gru', 16] },
    { id: 'b', number: 2, status: 'completed', objective: 0.86, epochs: 3, values: ['gru', 32] },
    { id: 'c', number: 3, status: 'pruned', objective: 0.7, epochs: 3, values: ['gru', 8] },
    { id: 'd', number: 4, status: 'completed', objective: 0.84, epochs: 3, values: ['lstm', 32] },
    { id: 'e', number: 5, status: 'running', objective: null, epochs: 3, values: ['rnn', 32] },
    { id: 'f', number: 6, status: 'completed', objective: 0.75, epochs: 3, values: ['rnn', 64] },
  ],
};

describe(summarizeByChoice.name, () => {
  it("groups the trials with a value by the parameter's value: count, best and median in the objective's direction, best first", () => {
    assert.deepEqual(summarizeByChoice(points, 'cell', 'maximize'), [
      { value: 'gru', trials: 3, best: 0.86, median: 0.8 },
      { value: 'lstm', trials: 1, best: 0.84, median: 0.84 },
      { value: 'rnn', trials: 1, best: 0.75, median: 0.75 },
    ]);
    assert.deepEqual(
      summarizeByChoice(points, 'cell', 'minimize').map((row) => [row.value, row.best, row.median]),
      [
        ['gru', 0.7, 0.8],
        ['rnn', 0.75, 0.75],
        ['lstm', 0.84, 0.84],
      ],
    );
    assert.deepEqual(summarizeByChoice(points, 'optimizer', 'maximize'), [], 'a parameter the points do not hold');
  });
});
