import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SearchSpaceError } from './dimension';
import { Grid, gridValues } from './grid.sampler';

describe(Grid.name, () => {
  it('visits every combination once, last dimension fastest', () => {
    const sut = new Grid({ units: { type: 'choice', values: [32, 64] }, layers: { type: 'int', min: 1, max: 3 } });
    assert.equal(sut.size, 6);
    const points = Array.from({ length: sut.size }, (_, i) => sut.point(i));
    assert.deepEqual(points, [
      { units: 32, layers: 1 },
      { units: 32, layers: 2 },
      { units: 32, layers: 3 },
      { units: 64, layers: 1 },
      { units: 64, layers: 2 },
      { units: 64, layers: 3 },
    ]);
  });

  it('steps float dimensions without binary noise', () => {
    assert.deepEqual(gridValues({ type: 'float', min: 0.1, max: 0.5, step: 0.1 }), [0.1, 0.2, 0.3, 0.4, 0.5]);
    assert.deepEqual(gridValues({ type: 'int', min: 7, max: 28, step: 7 }), [7, 14, 21, 28]);
  });

  it('has one point for an empty space', () => {
    const sut = new Grid({});
    assert.equal(sut.size, 1);
    assert.deepEqual(sut.point(0), {});
  });

  it('refuses a float dimension without a step, naming it', () => {
    assert.throws(
      () => new Grid({ dropout: { type: 'float', min: 0, max: 0.5 } }),
      (error: unknown) => error instanceof SearchSpaceError && error.issues[0].path === 'searchSpace.dropout' && /needs a step/.test(error.issues[0].message),
    );
  });

  it('sizes a 10^12-point grid without listing it', () => {
    const dims = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`d${i}`, { type: 'int' as const, min: 1, max: 1000 }]));
    assert.equal(new Grid(dims).size, 1e12);
  });

  it('rejects an index outside the grid', () => {
    assert.throws(() => new Grid({ a: { type: 'choice', values: [1] } }).point(1), RangeError);
  });
});
