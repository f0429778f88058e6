import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EARLY_STOPPING_TERMS, EarlyStoppingSchema, earlyStoppingIssues, trialEpochsOf } from './early-stopping.schema';

const BUDGET = { maxEpochsPerTrial: 20 };

describe('EARLY_STOPPING_TERMS', () => {
  it('has one entry per early-stopping type of the schema', () => {
    assert.deepEqual(Object.keys(EARLY_STOPPING_TERMS), EarlyStoppingSchema.options.map((o) => o.shape.type.value));
  });

  it('lets successive-halving rules cap the epochs of a trial, and every other rule run the budget', () => {
    assert.equal(trialEpochsOf({ type: 'asha', minEpochs: 1, reductionFactor: 3, maxEpochs: 9 }, BUDGET), 9);
    assert.equal(trialEpochsOf({ type: 'hyperband', minEpochs: 1, reductionFactor: 3 }, BUDGET), 20);
    assert.equal(trialEpochsOf({ type: 'median', warmupEpochs: 1, minTrials: 5 }, BUDGET), 20);
    assert.equal(trialEpochsOf({ type: 'none' }, BUDGET), 20);
  });

  it('reports issues below earlyStopping, none for a rule without terms', () => {
    assert.deepEqual(earlyStoppingIssues({ type: 'hyperband', minEpochs: 30, reductionFactor: 3, maxEpochs: 25 }, BUDGET), [
      { path: ['maxEpochs'], message: 'must be <= budget.maxEpochsPerTrial (20)' },
      { path: ['minEpochs'], message: 'minEpochs (30) must be <= maxEpochs (25)' },
    ]);
    assert.deepEqual(earlyStoppingIssues({ type: 'none' }, BUDGET), []);
  });
});
