import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classificationScores } from './classification-scores';

describe(classificationScores.name, () => {
  it('counts the confusion matrix, accuracy and macro-F1 of the most probable class', () => {
    // Three classes; rows are samples' probabilities.
    const probabilities = [0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.4, 0.3, 0.2, 0.2, 0.6, 0.5, 0.4, 0.1];
    const targets = [0, 1, 2, 2, 1];
    const scores = classificationScores(probabilities, targets, 3);
    assert.deepEqual(scores.confusion, [
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, 1],
    ]);
    assert.equal(scores.accuracy, 3 / 5);
    // F1: class 0 2*1/(2+1), class 1 2*1/(2+2), class 2 2*1/(1+2).
    assert.ok(Math.abs(scores.macroF1 - (2 / 3 + 1 / 2 + 2 / 3) / 3) < 1e-12);
    const expectedLoss = -(Math.log(0.7) + Math.log(0.8) + Math.log(0.3) + Math.log(0.6) + Math.log(0.4)) / 5;
    assert.ok(Math.abs(scores.loss - expectedLoss) < 1e-12);
  });

  it('scores a constant guess of the majority with the F1 of the absent class as 0, and clips zero probabilities', () => {
    const scores = classificationScores([1, 0, 1, 0, 1, 0], [0, 0, 1], 2);
    assert.equal(scores.accuracy, 2 / 3);
    assert.ok(Math.abs(scores.macroF1 - (2 * 2) / (3 + 2) / 2) < 1e-12);
    assert.ok(Math.abs(scores.loss - -Math.log(1e-7) / 3) < 1e-9);
  });
});
