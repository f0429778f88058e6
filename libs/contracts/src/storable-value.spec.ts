import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unstorableTextProblem, unstorableValueIssues } from './storable-value';

describe(unstorableTextProblem.name, () => {
  it('names a NUL and a lone surrogate with where they are, and passes ordinary text', () => {
    assert.equal(unstorableTextProblem('births 1969–1988 ✓ 😀'), undefined);
    assert.equal(unstorableTextProblem('ab\u0000c'), 'contains a NUL character (\\u0000) at character 3, which cannot be stored');
    assert.match(unstorableTextProblem('x\ud800') ?? '', /lone UTF-16 surrogate \(\\ud800\) at character 2/);
    assert.match(unstorableTextProblem('\udc00😀') ?? '', /\\udc00/);
  });
});

describe(unstorableValueIssues.name, () => {
  it('names the path of each string that holds a NUL, in objects and arrays', () => {
    const issues = unstorableValueIssues({ name: 'a\u0000', searchSpace: { hiddenUnits: { type: 'choice', values: [8, 'x\u0000'] } }, ok: ['fine'] });
    assert.deepEqual(
      issues.map((i) => i.path),
      ['name', 'searchSpace.hiddenUnits.values.1'],
    );
    assert.match(issues[0].message, /NUL/);
  });

  it('names a key that holds a NUL, escaped, under its parent path and the prefix', () => {
    const issues = unstorableValueIssues({ searchSpace: { 'lay\u0000ers': 1 } }, 'body');
    assert.deepEqual(issues, [{ path: 'body.searchSpace.lay\\u0000ers', message: 'the key contains a NUL character (\\u0000) at character 4, which cannot be stored' }]);
  });

  it('refuses a cycle and nesting past the limit, without overflowing the stack', () => {
    const cycle: unknown[] = [];
    cycle.push(cycle);
    assert.match(unstorableValueIssues({ a: cycle })[0].message, /cycles are not allowed/);
    assert.equal(unstorableValueIssues({ a: cycle })[0].path, 'a.0');
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.deepEqual(unstorableValueIssues(deep).map((i) => i.message), ['nested deeper than 64 levels']);
    let sixtyFour: unknown = 1;
    for (let i = 0; i < 64; i++) sixtyFour = [sixtyFour];
    assert.deepEqual(unstorableValueIssues(sixtyFour), []);
  });

  it('lets a shared (aliased) value appear twice: only a collection inside itself is a cycle', () => {
    const shared = { type: 'choice', values: [1, 2] };
    assert.deepEqual(unstorableValueIssues({ a: shared, b: shared }), []);
  });

  it('reports at most 20 issues for a body full of NULs', () => {
    assert.equal(unstorableValueIssues(Array.from({ length: 10_000 }, () => '\u0000')).length, 20);
  });

  it('leaves numbers, booleans, null and non-plain objects to the schema', () => {
    assert.deepEqual(unstorableValueIssues({ a: 1, b: true, c: null, d: new Date(0), e: Buffer.from('\u0000') }), []);
  });
});
