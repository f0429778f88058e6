import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SearchSpaceError } from './dimension';
import { SweepPlan } from './sweep-plan';

const SPACE = {
  units: { type: 'choice', values: [32, 64, 128] },
  layers: { type: 'int', min: 1, max: 2 },
} as const;

describe(SweepPlan.name, () => {
  it('plans a grid sweep of exactly the grid size', () => {
    const sut = new SweepPlan('grid', SPACE, 1, 100);
    assert.equal(sut.totalTrials, 6);
    assert.deepEqual(sut.trial(5).assignment, { units: 128, layers: 2 });
  });

  it('refuses a grid larger than budget.maxTrials, with both numbers', () => {
    assert.throws(
      () => new SweepPlan('grid', SPACE, 1, 5),
      (error: unknown) =>
        error instanceof SearchSpaceError && error.issues[0].path === 'budget.maxTrials' && /6 points but budget.maxTrials is 5/.test(error.issues[0].message),
    );
  });

  it('plans maxTrials random trials, the same for the same seed', () => {
    const a = new SweepPlan('random', SPACE, 42, 20);
    const b = new SweepPlan('random', SPACE, 42, 20);
    const c = new SweepPlan('random', SPACE, 43, 20);
    assert.equal(a.totalTrials, 20);
    const configs = (plan: SweepPlan) => Array.from({ length: 20 }, (_, i) => plan.trial(i));
    assert.deepEqual(configs(a), configs(b));
    assert.notDeepEqual(configs(a), configs(c));
  });

  it('refuses trial numbers past the plan', () => {
    assert.throws(() => new SweepPlan('random', SPACE, 1, 3).trial(3), RangeError);
  });
});
