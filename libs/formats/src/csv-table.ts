import { parse } from 'csv-parse/sync';

/** A column's cells: numbers, dates, or text (labels, ids, messages: mostly not numbers). */
export const CSV_COLUMN_TYPES = ['number', 'time', 'text'] as const;

export interface CsvColumn {
  name: string;
  type: (typeof CSV_COLUMN_TYPES)[number];
}

export interface CsvTable {
  columns: CsvColumn[];
  rowCount: number;
  /** Values of the number and time columns by name (time columns as epoch milliseconds), in file order. */
  values: Record<string, number[]>;
  /** Every column's cells as written (trimmed), by name, in file order: labels, ids and texts read these. */
  cells: Record<string, string[]>;
}

export interface CsvIssue {
  line?: number;
  column?: string;
  message: string;
}

export class CsvDatasetError extends Error {
  constructor(readonly issues: CsvIssue[]) {
    super(issues.map(describeCsvIssue).join('; '));
    this.name = 'CsvDatasetError';
  }
}

/** A CSV problem as one message: where (line, column), then what. */
export function describeCsvIssue(issue: CsvIssue): string {
  return [issue.line !== undefined ? `line ${issue.line}` : '', issue.column ? `column '${issue.column}'` : '', issue.message].filter(Boolean).join(', ');
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
 * Reads and checks an uploaded table: a header row of unique names, the same number of cells on every
 * line, an optional time column (named date/time/timestamp/ds, or holding dates) whose values must
 * strictly increase, and number or text columns. A column is text when most of its cells are not numbers
 * (labels, sequence ids, messages); in a number column every cell must be a number. Every problem found
 * is reported with its line.
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

  const columns: CsvColumn[] = header.map((name, c) => ({ name, type: columnType(name, rows.map((r) => r[c]), options) }));
  const values: Record<string, number[]> = Object.fromEntries(columns.filter((c) => c.type !== 'text').map(({ name }) => [name, [] as number[]]));
  const cells: Record<string, string[]> = Object.fromEntries(header.map((name, c) => [name, rows.map((r) => r[c])]));
  rows.forEach((row, r) => {
    const line = r + 2;
    columns.forEach((column, c) => {
      if (column.type === 'text') return;
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
  return { columns, rowCount: rows.length, values, cells };
}

/**
 * A reader that names the time column (a forecasting model's) reads every other column as numbers. Otherwise the
 * time column is guessed, and a column is text when under half its cells are numbers: a number column with a
 * few typos stays a number column, and its typos are reported.
 */
function columnType(name: string, cells: string[], options: CsvTableOptions): CsvColumn['type'] {
  if (options.timeColumn !== undefined) return name === options.timeColumn ? 'time' : 'number';
  if (isTimeColumn(name, cells)) return 'time';
  const numbers = cells.filter((cell) => cell !== '' && Number.isFinite(Number(cell))).length;
  return numbers * 2 >= cells.length ? 'number' : 'text';
}

/** What an unnamed time column's cells look like: ISO dates (and times) or day/month/year. Date.parse alone reads ids such as 'rec-0' as dates. */
const DATE_CELL = /^(\d{4}-\d{1,2}-\d{1,2}([ T][\d:.]+(Z|[+-][\d:]+)?)?|\d{1,2}\/\d{1,2}\/\d{2,4})$/;

function isTimeColumn(name: string, cells: string[]): boolean {
  if (TIME_COLUMN.test(name)) return true;
  return cells.every((cell) => DATE_CELL.test(cell) && Number.isFinite(Date.parse(cell)));
}
