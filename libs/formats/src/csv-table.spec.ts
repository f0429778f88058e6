import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CsvDatasetError, parseCsvTable } from './csv-table';

const rows = (count: number) => ['day,sales', ...Array.from({ length: count }, (_, i) => `${i + 1},${10 + i}`)].join('\n');

describe(parseCsvTable.name, () => {
  it('guesses the time column by its name, and needs 10 rows by default', () => {
    assert.deepEqual(parseCsvTable(rows(12)).columns, [{ name: 'day', type: 'time' }, { name: 'sales', type: 'number' }]);
    assert.throws(() => parseCsvTable(rows(12).replace('\n3,', '\nsoon,')), (error) => error instanceof CsvDatasetError && /line 4, column 'day', 'soon' is not a date/.test(error.message));
    assert.throws(() => parseCsvTable('date,sales\n2024-01-01,1\n'), /1 data rows; at least 10 are needed/);
  });

  it('takes the time column from a reader that knows it, and fewer rows when asked', () => {
    const table = parseCsvTable(rows(3), { minRows: 1, timeColumn: null });
    assert.deepEqual(table.columns, [{ name: 'day', type: 'number' }, { name: 'sales', type: 'number' }]);
    assert.deepEqual(table.values.day, [1, 2, 3]);
    const dated = parseCsvTable('when,sales\n2024-01-01,1\n2024-01-02,2\n', { minRows: 1, timeColumn: 'when' });
    assert.deepEqual(dated.values.when, [Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2)]);
    assert.throws(() => parseCsvTable('date,sales\n', { minRows: 1, timeColumn: 'date' }), /0 data rows; at least 1 is needed/);
    assert.deepEqual(parseCsvTable('date\n2024-01-01\n', { minRows: 1, timeColumn: 'date' }).columns, [{ name: 'date', type: 'time' }], 'the reader checks the columns it needs itself');
  });

  it('reads a column of mostly non-numbers as text (labels, ids, messages), keeping every cell as written', () => {
    const csv = ['id,x,label', ...Array.from({ length: 12 }, (_, i) => `rec-${i},${i},${i % 3 ? 'walk' : '42'}`)].join('\n');
    const table = parseCsvTable(csv);
    assert.deepEqual(table.columns, [{ name: 'id', type: 'text' }, { name: 'x', type: 'number' }, { name: 'label', type: 'text' }], "'rec-0' reads as a date to Date.parse, not here");
    assert.deepEqual(table.cells.label.slice(0, 4), ['42', 'walk', 'walk', '42']);
    assert.equal(table.values.label, undefined, 'a text column has no numbers');
    assert.throws(() => parseCsvTable(csv.replace('\nrec-3,3,', '\nrec-3,three,')), /line 5, column 'x', 'three' is not a number/, 'a number column with a typo stays a number column');
  });
});
