import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dominates, paretoFront } from './pareto';

describe(paretoFront.name, () => {
  it('keeps the points no other point beats on both objectives', () => {
    const points = [
      { item: 'a', values: [300, 5000] },
      { item: 'b', values: [310, 1000] },
      { item: 'c', values: [320, 2000] }, // dominated by b
      { item: 'd', values: [290, 9000] },
      { item: 'e', values: [300, 5000] }, // equal to a: neither dominates
    ];
    assert.deepEqual(paretoFront(points, ['minimize', 'minimize']).map((p) => p.item), ['d', 'a', 'e', 'b']);
  });
  it('respects maximize', () => {
    assert.equal(dominates([0.9, 10], [0.8, 10], ['maximize', 'minimize']), true);
    assert.equal(dominates([0.9, 12], [0.8, 10], ['maximize', 'minimize']), false);
  });
});
