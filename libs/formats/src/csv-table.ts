import { parse } from 'csv-parse/sync';

export interface CsvColumn {
  name: string;
  type: 'number' | 'time';
}

export interface CsvTable {
  columns: CsvColumn[];
  rowCount: number;
  /** Values by column name (time columns as epoch milliseconds), in file order. */
  values: Record<string, number[]>;
}

export interface CsvIssue {
  line?: number;
  column?: string;
  message: string;
}

export class CsvDatasetError extends Error {
  constructor(readonly issues: CsvIssue[]) {
    super(issues.map((i) => [i.line !== undefined ? `line ${i.line}` : '', i.column ? `column '${i.column}'` : '', i.message].filter(Boolean).join(', ')).join('; '));
    this.name = 'CsvDatasetError';
  }
}

export const CSV_LIMITS = { minRows: 10, maxColumns: 100, maxIssues: 20 } as const;

const TIME_COLUMN = /^(date|time|timestamp|datetime|ds|day)$/i;

export interface CsvTableOptions {
  /** Fewer data rows are refused (default CSV_LIMITS.minRows, what training needs). */
  minRows?: number;
  /**
   * The time column when the reader knows it (a model's): that column, if present, holds dates and
   * every other column numbers; null says there is none. Left out, the time column is guessed.
   */
  timeColumn?: string | null;
}

/**
 * Reads and checks an uploaded time series: a header row of unique names, the same number of cells
 * on every line, numbers in every column except an optional time column (named date/time/timestamp/ds,
 * or holding dates), whose values must strictly increase. Every problem found is reported with its line.
 */
export function parseCsvTable(text: string, options: CsvTableOptions = {}): CsvTable {
  const minRows = options.minRows ?? CSV_LIMITS.minRows;
  if (text.trim().length === 0) throw new CsvDatasetError([{ message: 'the file is empty' }]);
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (error) {
    const e = error as { code?: string; lines?: number; message: string };
    const message = e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' ? 'this row has a different number of cells than the header' : e.message;
    throw new CsvDatasetError([{ line: e.lines, message }]);
  }
  const [header, ...rows] = records;
  const issues: CsvIssue[] = [];
  if (header.some((name) => name === '')) issues.push({ line: 1, message: 'every column needs a name in the header row' });
  if (header.every((name) => name !== '' && Number.isFinite(Number(name)))) issues.push({ line: 1, message: 'the first row must be a header of column names, not numbers' });
  const duplicates = header.filter((name, i) => header.indexOf(name) !== i);
  if (duplicates.length) issues.push({ line: 1, message: `duplicate column names: ${[...new Set(duplicates)].join(', ')}` });
  if (header.length > CSV_LIMITS.maxColumns) issues.push({ line: 1, message: `${header.length} columns; at most ${CSV_LIMITS.maxColumns} are allowed` });
  if (rows.length < minRows) issues.push({ message: `${rows.length} data rows; at least ${minRows} ${minRows === 1 ? 'is' : 'are'} needed` });
  if (issues.length) throw new CsvDatasetError(issues);

  const isTime = (name: string, c: number) => (options.timeColumn !== undefined ? name === options.timeColumn : isTimeColumn(name, rows.map((r) => r[c])));
  const columns: CsvColumn[] = header.map((name, c) => ({ name, type: isTime(name, c) ? 'time' : 'number' }));
  // A reader that names the time column checks the columns it needs itself.
  if (options.timeColumn === undefined && !columns.some((c) => c.type === 'number')) throw new CsvDatasetError([{ message: 'no numeric column to forecast' }]);
  const values: Record<string, number[]> = Object.fromEntries(header.map((name) => [name, [] as number[]]));
  rows.forEach((row, r) => {
    const line = r + 2;
    columns.forEach((column, c) => {
      const cell = row[c];
      const value = column.type === 'time' ? Date.parse(cell) : cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(value)) {
        if (issues.length < CSV_LIMITS.maxIssues) issues.push({ line, column: column.name, message: column.type === 'time' ? `'${cell}' is not a date` : `'${cell}' is not a number` });
      } else if (column.type === 'time' && r > 0 && value <= values[column.name][r - 1]) {
        if (issues.length < CSV_LIMITS.maxIssues) issues.push({ line, column: column.name, message: `rows must be in time order: '${cell}' does not come after the row above` });
      }
      values[column.name].push(value);
    });
  });
  if (issues.length) throw new CsvDatasetError(issues);
  return { columns, rowCount: rows.length, values };
}

function isTimeColumn(name: string, cells: string[]): boolean {
  if (TIME_COLUMN.test(name)) return true;
  return cells.every((cell) => !Number.isFinite(Number(cell)) && Number.isFinite(Date.parse(cell)));
}
