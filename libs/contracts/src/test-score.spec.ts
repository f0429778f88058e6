import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeTestScore, testScoreOf } from './test-score';

describe(testScoreOf.name, () => {
  it('scores a forecast against seasonal naive, a character model alone, and a classifier against the majority class', () => {
    assert.equal(describeTestScore({ test_mae: 231.4, seasonal_naive_test_mae: 290.2 }), 'test_mae 231.4 vs seasonal naive 290.2 (20.3% better)');
    assert.equal(describeTestScore({ test_loss: 1.6, test_bpc: 2.31 }), 'test_bpc 2.31');
    const classifier = { test_accuracy: 0.84, majority_test_accuracy: 0.6, bag_of_chars_test_accuracy: 0.63, test_macro_f1: 0.83 };
    const score = testScoreOf(classifier);
    assert.deepEqual({ ...score, improvement: undefined }, { metric: 'test_accuracy', value: 0.84, baseline: 0.6, improvement: undefined });
    assert.ok(Math.abs((score?.improvement ?? 0) - 0.6) < 1e-12, 'the share of the majority class\'s errors removed');
    assert.equal(describeTestScore(classifier), 'test_accuracy 0.84 vs majority class 0.6 (60.0% fewer errors), bag of characters 0.63');
    assert.equal(describeTestScore(null), '-');
  });
});
