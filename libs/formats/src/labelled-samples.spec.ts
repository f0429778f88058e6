import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsvTable } from './csv-table';
import { classificationSamplesFromCsv, type ClassificationColumns } from './labelled-samples';

const splits = { validationSplit: 0.2, testSplit: 0.2, maxLength: 50 };
const problems = (csv: string, columns: Omit<ClassificationColumns, keyof typeof splits> & Partial<ClassificationColumns>) => {
  try {
    classificationSamplesFromCsv(parseCsvTable(csv, { minRows: 1 }), { ...splits, ...columns });
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
};

/** Messages, labelled ham or spam by turns. */
const texts = (count: number, edit: (rows: string[][]) => void = () => undefined) => {
  const rows = Array.from({ length: count }, (_, i) => [`message number ${i} about ${i % 2 ? 'prizes' : 'lunch'}`, i % 2 ? 'spam' : 'ham']);
  edit(rows);
  return ['body,label', ...rows.map((r) => r.join(','))].join('\n');
};

/** Recordings of three accelerometer rows each, labelled by recording. */
const recordings = (count: number, edit: (rows: string[][]) => void = () => undefined) => {
  const rows = Array.from({ length: count * 3 }, (_, i) => [`rec-${Math.floor(i / 3)}`, String(i % 7), String((i * 3) % 5), Math.floor(i / 3) % 2 ? 'walk' : 'sit']);
  edit(rows);
  return ['recording,x,y,activity', ...rows.map((r) => r.join(','))].join('\n');
};

describe(classificationSamplesFromCsv.name, () => {
  it('makes one sample per row of a text column, split by the fixed shuffle', () => {
    const table = parseCsvTable(texts(50));
    assert.deepEqual(table.columns, [{ name: 'body', type: 'text' }, { name: 'label', type: 'text' }]);
    const samples = classificationSamplesFromCsv(table, { ...splits, label: 'label', text: 'body', features: [] });
    assert.equal(samples.kind, 'text');
    assert.equal(samples.samples.length, 50);
    assert.deepEqual(samples.samples[3], { text: 'message number 3 about prizes', label: 'spam' });
    assert.deepEqual([samples.split.train.length, samples.split.validation.length, samples.split.test.length], [30, 10, 10]);
  });

  it('makes one sample per sequence id (its rows in file order), or one per window of rows labelled by its last row', () => {
    const bySequence = classificationSamplesFromCsv(parseCsvTable(recordings(20)), { ...splits, label: 'activity', features: ['x', 'y'], sequence: 'recording' });
    assert.equal(bySequence.kind, 'series');
    assert.equal(bySequence.samples.length, 20);
    assert.deepEqual(bySequence.samples[1], { steps: [[3, 4], [4, 2], [5, 0]], label: 'walk', line: 5 });
    const windows = classificationSamplesFromCsv(parseCsvTable(recordings(20)), { ...splits, label: 'activity', features: ['x'], window: 4 });
    assert.equal(windows.kind, 'series');
    if (windows.kind !== 'series') return;
    // 60 rows: 36 train, 12 validation, 12 test, each windowed on its own rows.
    assert.deepEqual([windows.split.train.length, windows.split.validation.length, windows.split.test.length], [33, 9, 9]);
    assert.deepEqual(windows.samples[0], { steps: [[0], [1], [2], [3]], label: 'walk', line: 5 });
    const firstValidation = windows.samples[windows.split.validation[0]];
    assert.equal(firstValidation.line, 36 + 4 + 1, 'a validation window starts at the first validation row');
  });

  it('refuses what makes no classifier, naming the line', () => {
    assert.match(problems(texts(30, (r) => r.forEach((row) => (row[1] = 'ham'))), { label: 'label', text: 'body', features: [] }), /column 'label', holds one class \('ham'\); a classifier needs at least two/);
    assert.match(problems(texts(30, (r) => (r[6][1] = '')), { label: 'label', text: 'body', features: [] }), /^line 8, column 'label', the label is missing$/);
    assert.match(problems(texts(30, (r) => (r[4][0] = '12345')), { label: 'label', text: 'body', features: [] }), /^line 6, column 'body', '12345' is a number, not text$/);
    assert.match(problems(texts(30, (r) => (r[4][0] = '')), { label: 'label', text: 'body', features: [] }), /^line 6, column 'body', the text is empty$/);
    assert.match(problems(texts(30, (r) => (r[9][0] = 'x'.repeat(51))), { label: 'label', text: 'body', features: [] }), /^line 11, column 'body', the text has 51 characters, more than maxLength 50$/);
    assert.match(problems(texts(30), { label: 'label', text: 'subject', features: [] }), /column 'subject', is not a column of the dataset \('body', 'label'\)/);
    assert.match(problems(recordings(20), { label: 'activity', features: ['x', 'recording'], sequence: 'recording' }), /column 'recording', is a text column; features must be numbers/);
  });

  it('refuses a class that only validation or test samples have, and a sequence that changes label or outgrows maxLength', () => {
    // The fixed shuffle puts text 0 outside the training split: give it a class of its own.
    const { split } = classificationSamplesFromCsv(parseCsvTable(texts(30)), { ...splits, label: 'label', text: 'body', features: [] });
    const held = [...split.validation, ...split.test][0];
    const message = problems(texts(30, (r) => (r[held][1] = 'phishing')), { label: 'label', text: 'body', features: [] });
    assert.match(message, new RegExp(`^line ${held + 2}, column 'label', class 'phishing' is in the (validation|test) split but in no training sample`));
    assert.match(problems(recordings(20, (r) => (r[4][3] = 'run')), { label: 'activity', features: ['x'], sequence: 'recording' }), /^line 6, column 'activity', sequence 'rec-1' is labelled 'walk' on line 5 and 'run' here; a sequence has one label$/);
    assert.match(problems(recordings(20), { label: 'activity', features: ['x'], sequence: 'recording', maxLength: 2 }), /^line 4, column 'recording', sequence 'rec-0' is longer than maxLength 2 rows/);
    assert.match(problems(recordings(2), { label: 'activity', features: ['x'], window: 4 }), /samples are too few for validationSplit 0.2 and testSplit 0.2/);
  });
});
