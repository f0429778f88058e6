import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { findJsonNestingExcess, findYamlNestingExcess, MAX_NESTING_DEPTH } from './nesting-depth';

const EXAMPLES = join(__dirname, '../../../examples');

/** Levels of arrays and objects in a parsed value. */
function depthOf(value: unknown): number {
  return typeof value === 'object' && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depthOf)) : 0;
}

/** The smallest limit the scanner accepts the text under: its bound on the text's depth. */
function yamlBound(text: string): number {
  let limit = 0;
  while (findYamlNestingExcess(text, limit)) limit++;
  return limit;
}

const nestedMaps = (levels: number) => Array.from({ length: levels }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n';
const nestedSeqs = (levels: number) => Array.from({ length: levels }, (_, i) => `${' '.repeat(2 * i)}-`).join('\n') + ' 1\n';

describe(findJsonNestingExcess.name, () => {
  it('accepts 64 levels and names where the 65th opens', () => {
    assert.equal(findJsonNestingExcess('['.repeat(64) + ']'.repeat(64)), undefined);
    assert.deepEqual(findJsonNestingExcess('{"a":' + '['.repeat(64) + ']'.repeat(64) + '}'), {
      line: 1,
      column: 69,
      message: `nested deeper than ${MAX_NESTING_DEPTH} levels at line 1, column 69`,
    });
    assert.equal(findJsonNestingExcess('\n\n  ' + '['.repeat(1000))?.line, 3);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    assert.equal(findJsonNestingExcess(JSON.stringify({ a: '['.repeat(100), b: '"[[[', c: '\\' })), undefined);
    assert.ok(findJsonNestingExcess(JSON.stringify({ a: ']'.repeat(100) }) + '['.repeat(65)));
  });

  it('is exact for valid JSON', () => {
    for (const value of [{ a: [1, { b: [[2]] }] }, [[[[]]]], { a: { b: { c: {} } } }]) {
      const text = JSON.stringify(value);
      assert.equal(findJsonNestingExcess(text, depthOf(value)), undefined);
      assert.ok(findJsonNestingExcess(text, depthOf(value) - 1));
    }
  });

  it('scans a megabyte quickly, and stops at the first level too deep', () => {
    const started = performance.now();
    assert.equal(findJsonNestingExcess('[' + '1,'.repeat(500_000) + '1]'), undefined);
    assert.ok(findJsonNestingExcess('['.repeat(1_000_000)));
    assert.ok(performance.now() - started < 1_000);
  });
});

describe(findYamlNestingExcess.name, () => {
  it('bounds the example sweeps at their real depth', () => {
    for (const file of ['births-lstm.yaml', 'births-tpe-asha.yaml']) {
      const text = readFileSync(join(EXAMPLES, file), 'utf8');
      assert.equal(yamlBound(text), depthOf(parse(text)), file);
    }
  });

  it('never counts less than the parsed depth (block, flow, compact, zero-indented, explicit keys)', () => {
    const texts = [
      nestedMaps(10),
      nestedSeqs(10),
      '- - - - - a:\n          - - b: 1\n',
      'a:\n- b:\n  - c:\n    - d: 1\n',
      '{a: [1, {b: [[2]]}]}',
      '? a\n: ? b\n  : ? c\n    : 1\n',
      'a: |\n  text\nb:\n  c: [1, [2]]\n',
      JSON.stringify({ a: [{ b: { c: [1, [2, [3]]] } }] }),
      '[a, b]: 1\nc: {d: {e: [f]}}\n',
    ];
    for (const text of texts) assert.ok(yamlBound(text) >= depthOf(parse(text)), `${JSON.stringify(text)}: ${yamlBound(text)} < ${depthOf(parse(text))}`);
  });

  it('does not count brackets in quoted scalars, block scalars or comments', () => {
    assert.equal(yamlBound('a: "[[[[[[[["\nb: \']]]]]]]\'\nc: [[[1]]]\n'), 4);
    assert.equal(yamlBound('a: |\n  [[[[[[[[[[\n  {{{{{\nb: [1]\n'), 2);
    assert.equal(yamlBound('a: 1 # [[[[[[[[[[[\n'), 1);
  });

  it('accepts 64 levels and refuses 65, in flow, block mapping, block sequence and compact form', () => {
    assert.equal(findYamlNestingExcess('['.repeat(64) + ']'.repeat(64)), undefined);
    assert.equal(findYamlNestingExcess(nestedMaps(64)), undefined);
    assert.equal(findYamlNestingExcess(nestedSeqs(64)), undefined);
    assert.equal(findYamlNestingExcess('- '.repeat(64) + '1'), undefined);
    assert.match(findYamlNestingExcess('['.repeat(1000))?.message ?? '', /^nested deeper than 64 levels at line 1, column 65$/);
    assert.equal(findYamlNestingExcess(nestedMaps(65))?.line, 65);
    assert.equal(findYamlNestingExcess(nestedSeqs(65))?.line, 65);
    assert.ok(findYamlNestingExcess('- '.repeat(65) + '1'));
    assert.ok(findYamlNestingExcess('a:\n  b: ' + '{c: '.repeat(63)));
  });

  it('scans a megabyte of brackets without parsing it', () => {
    const started = performance.now();
    assert.ok(findYamlNestingExcess('['.repeat(1_000_000)));
    assert.ok(findYamlNestingExcess('- '.repeat(500_000)));
    assert.ok(performance.now() - started < 1_000);
  });
});
