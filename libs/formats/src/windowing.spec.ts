import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seasonalNaiveMae, standardiserOf, timeSplit, windowStarts } from './windowing';

describe('windowing', () => {
  it('splits in time order, the last share validating', () => {
    assert.deepEqual(timeSplit(100, 0.2), { trainEnd: 80, validationEnd: 100, length: 100 });
    assert.deepEqual(timeSplit(100, 0.2, 0.1), { trainEnd: 70, validationEnd: 90, length: 100 });
  });

  it('standardises with the statistics of the given rows only', () => {
    const values = [1, 2, 3, 100, 200];
    assert.deepEqual(standardiserOf(values, 0, 3), { mean: 2, std: Math.sqrt(2 / 3) });
    assert.deepEqual(standardiserOf([5, 5, 5], 0, 3), { mean: 5, std: 1 }, 'a constant column keeps std 1');
  });

  it('places windows so that their targets fall in the range, inputs may reach back before it', () => {
    // window 3, horizon 2: start s reads s..s+2 and predicts s+3..s+4
    assert.deepEqual(windowStarts(3, 2, 0, 8), [0, 1, 2, 3]);
    assert.deepEqual(windowStarts(3, 2, 8, 12), [5, 6, 7]);
  });

  it('scores the seasonal-naive forecast against the value one season earlier', () => {
    const series = Array.from({ length: 30 }, (_, t) => (t % 7) * 10 + (t >= 21 ? 1 : 0));
    // Targets 21..29 each differ from the value 7 days earlier by exactly 1 only where t-7 < 21.
    const starts = windowStarts(7, 1, 21, 30);
    assert.equal(seasonalNaiveMae(series, starts, 7, 1), (7 * 1 + 2 * 0) / 9);
  });

  it('never uses a value inside the forecast horizon for the baseline', () => {
    const series = Array.from({ length: 40 }, (_, t) => t);
    // horizon 10: steps 0..6 look back 7 (error 7), steps 7..9 look back 14 (error 14)
    assert.equal(seasonalNaiveMae(series, [0], 20, 10), (7 * 7 + 3 * 14) / 10);
  });
});
