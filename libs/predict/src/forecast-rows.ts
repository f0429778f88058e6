import { columnsRead, CsvDatasetError, parseCsvTable, type CsvTable, type ForecastPreprocessing, type SeriesColumns } from '@tuneforge/formats';
import { MAX_INPUT_ISSUES, PredictInputError, type InputIssue } from './predict-errors';

/** A raw cell: a number, a numeric or date string, or (time column) a Date. */
export type RawCell = number | string | Date | null | undefined;

/**
 * The raw rows a forecaster reads, in time order: objects keyed by column name (the time column as a
 * date string, a Date or epoch milliseconds; values as numbers or numeric strings), or a parsed CSV table.
 */
export type ForecastRows = readonly Readonly<Record<string, RawCell>>[] | CsvTable;

/** Rows checked against a model: its raw columns (time as epoch ms), and where each row came from for messages. */
export interface CheckedRows {
  columns: SeriesColumns;
  length: number;
  /** The time column's values, if the model has one. */
  times: number[] | null;
}

/**
 * Parses CSV text for a model: its time column (if any) must hold dates, every other column numbers;
 * problems name their line (the header is line 1) and column. No more rows are required than one window.
 */
export function readForecastCsv(text: string, preprocessing: ForecastPreprocessing): CsvTable {
  return csvInputError(() => parseCsvTable(text, { minRows: 1, timeColumn: preprocessing.timeColumn }));
}

/** A CSV read for a model: its problems as the model's input errors. */
export function csvInputError<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof CsvDatasetError) throw new PredictInputError(error.issues);
    throw error;
  }
}

/**
 * The rows as the model's raw columns, after checking them: exactly the columns the model reads (none
 * missing, none it would ignore), a finite number in every value cell, a date in every time cell, time
 * strictly increasing, and at least one window of rows. Every problem names its row or line and column.
 */
export function checkForecastRows(rows: ForecastRows, preprocessing: ForecastPreprocessing): CheckedRows {
  const table = Array.isArray(rows) ? tableOfObjects(rows as readonly Readonly<Record<string, RawCell>>[], preprocessing) : (rows as CsvTable);
  const where = Array.isArray(rows) ? (r: number) => ({ row: r + 1 }) : (r: number) => ({ line: r + 2 });
  const issues = new Issues();
  const wanted = columnsRead(preprocessing);
  const given = table.columns.map((c) => c.name);
  for (const name of wanted.filter((n) => !given.includes(n))) issues.add({ column: name, message: `is missing; the model reads ${wanted.map((n) => `'${n}'`).join(', ')}` });
  for (const name of given.filter((n) => !wanted.includes(n))) {
    issues.add({ ...(Array.isArray(rows) ? {} : { line: 1 }), column: name, message: `is not read by the model; remove it (the model reads ${wanted.map((n) => `'${n}'`).join(', ')})` });
  }
  issues.throwIfAny();
  const length = table.rowCount;
  for (const name of wanted) {
    const values = table.values[name];
    const isTime = name === preprocessing.timeColumn;
    for (let r = 0; r < length; r++) {
      if (!Number.isFinite(values[r])) issues.add({ ...where(r), column: name, message: isTime ? 'is not a date' : 'is not a number' });
      else if (isTime && r > 0 && values[r] <= values[r - 1]) issues.add({ ...where(r), column: name, message: 'rows must be in time order: this row does not come after the row above' });
    }
  }
  issues.throwIfAny();
  if (length < preprocessing.window) {
    issues.add({ message: `${length} rows are too few: the model reads windows of ${preprocessing.window} rows, so it needs at least ${preprocessing.window}` });
  }
  issues.throwIfAny();
  const columns: SeriesColumns = Object.fromEntries(wanted.map((name) => [name, table.values[name]]));
  return { columns, length, times: preprocessing.timeColumn ? table.values[preprocessing.timeColumn] : null };
}

/** Objects as a table: a cell that does not read as its column's type becomes NaN here, after its own message is recorded. */
function tableOfObjects(rows: readonly Readonly<Record<string, RawCell>>[], preprocessing: ForecastPreprocessing): CsvTable {
  const issues = new Issues();
  const wanted = columnsRead(preprocessing);
  const names = [...new Set([...wanted, ...rows.flatMap((row) => Object.keys(row))])];
  const values: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  const seen = new Set(rows.flatMap((row) => Object.keys(row)));
  rows.forEach((row, r) => {
    for (const name of names) {
      const cell = row[name];
      const isTime = name === preprocessing.timeColumn;
      if (!wanted.includes(name)) {
        values[name].push(NaN); // refused as a column the model does not read
        continue;
      }
      if (cell === undefined && seen.has(name)) {
        issues.add({ row: r + 1, column: name, message: 'is missing from this row' });
        values[name].push(NaN);
        continue;
      }
      const value = isTime ? timeOf(cell) : numberOf(cell);
      if (!Number.isFinite(value) && cell !== undefined) issues.add({ row: r + 1, column: name, message: `${describeCell(cell)} is not ${isTime ? 'a date' : 'a number'}` });
      values[name].push(value);
    }
  });
  issues.throwIfAny();
  const cells = Object.fromEntries(names.map((name) => [name, rows.map((row) => String(row[name] ?? ''))]));
  return { columns: names.filter((name) => seen.has(name)).map((name) => ({ name, type: name === preprocessing.timeColumn ? 'time' : 'number' })), rowCount: rows.length, values, cells };
}

function numberOf(cell: RawCell): number {
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'string' && cell.trim() !== '') return Number(cell);
  return NaN;
}

function timeOf(cell: RawCell): number {
  if (typeof cell === 'number') return cell;
  if (cell instanceof Date) return cell.getTime();
  if (typeof cell === 'string' && cell.trim() !== '') return Date.parse(cell);
  return NaN;
}

function describeCell(cell: RawCell): string {
  if (cell === null) return 'null';
  if (cell === '') return 'an empty cell';
  if (typeof cell === 'string') return `'${cell}'`;
  return String(cell);
}

/** Collects problems up to MAX_INPUT_ISSUES and throws them together. */
class Issues {
  private readonly list: InputIssue[] = [];

  add(issue: InputIssue): void {
    if (this.list.length < MAX_INPUT_ISSUES) this.list.push(issue);
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new PredictInputError(this.list);
  }
}
