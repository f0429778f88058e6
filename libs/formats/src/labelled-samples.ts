import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { CSV_LIMITS, CsvDatasetError, type CsvIssue, type CsvTable } from './csv-table';

export interface LabelledText {
  text: string;
  label: string;
}

/** A sequence of feature rows ([step][feature], file order) and its class; `line` is its first row's line in the file. */
export interface LabelledSeries {
  steps: number[][];
  label: string;
  line: number;
}

/** How an uploaded table becomes classification samples (a classification upload's dataset settings). */
export interface ClassificationColumns {
  label: string;
  /** Each row's text is a sample. */
  text?: string;
  /** Numeric columns read one row per step, grouped by `sequence` id or into `window`s of rows. */
  features: readonly string[];
  sequence?: string;
  window?: number;
  maxLength: number;
  validationSplit: number;
  testSplit: number;
}

export type ClassificationSamples =
  | { kind: 'text'; samples: LabelledText[]; split: SampleSplit }
  /** `sequence`: the column that grouped the rows, or null when each sample is a window of rows. */
  | { kind: 'series'; features: string[]; sequence: string | null; samples: LabelledSeries[]; split: SampleSplit };

/** Which samples train, validate and test (indices into the samples). */
export interface SampleSplit {
  train: number[];
  validation: number[];
  test: number[];
}

/** The fixed shuffle that splits a dataset: the same rows train, validate and test in every trial and every sweep. */
const SPLIT_SEED = 0x5eed;

/** Which samples train, validate and test: a fixed shuffle, then the splits' shares from its end (test last). */
export function classificationSplit(count: number, options: Pick<ClassificationColumns, 'validationSplit' | 'testSplit'>): SampleSplit {
  const order = shuffled(count);
  const testCount = Math.round(count * options.testSplit);
  const valCount = Math.round(count * options.validationSplit);
  const trainCount = count - valCount - testCount;
  return { train: order.slice(0, trainCount), validation: order.slice(trainCount, trainCount + valCount), test: order.slice(trainCount + valCount) };
}

function shuffled(count: number): number[] {
  const rng = xoroshiro128plus(SPLIT_SEED);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

const line = (row: number) => row + 2;

/** Overlapping windows copy each row `window` times: this bounds the float32 inputs they make (80 MB). */
const MAX_WINDOW_VALUES = 20_000_000;

/**
 * The samples of an uploaded classification table, split, or every problem that stops them, each naming its
 * line: a missing column, a missing label, a text cell that holds a number or nothing, a sample longer than
 * maxLength, a sequence whose rows disagree on its label, a single class, or a class the training split never
 * sees. Texts and sequences are shuffled into the splits (the fixed shuffle); windows of one series split
 * in time order, each split windowed on its own rows, so no window straddles two splits.
 */
export function classificationSamplesFromCsv(table: CsvTable, columns: ClassificationColumns): ClassificationSamples {
  const issues: CsvIssue[] = [];
  const add = (issue: CsvIssue) => {
    if (issues.length < CSV_LIMITS.maxIssues) issues.push(issue);
  };
  const typeOf = (name: string) => table.columns.find((c) => c.name === name)?.type;
  const known = table.columns.map((c) => `'${c.name}'`).join(', ');
  for (const name of [columns.label, columns.text, columns.sequence].filter((n): n is string => n !== undefined)) {
    if (!typeOf(name)) add({ column: name, message: `is not a column of the dataset (${known})` });
  }
  for (const name of columns.features) {
    const type = typeOf(name);
    if (type !== 'number') add({ column: name, message: type ? `is a ${type} column; features must be numbers` : `is not a column of the dataset (${known})` });
  }
  if (issues.length) throw new CsvDatasetError(issues);

  const labels = table.cells[columns.label];
  labels.forEach((label, row) => {
    if (label === '') add({ line: line(row), column: columns.label, message: 'the label is missing' });
  });
  const result = columns.text !== undefined ? textSamples(table, columns, columns.text, add) : seriesSamples(table, columns, add);
  if (issues.length) throw new CsvDatasetError(issues);

  const { split } = result.samples;
  if (split.train.length === 0 || split.validation.length === 0 || split.test.length === 0) {
    throw new CsvDatasetError([
      { message: `${result.labels.length} samples are too few for validationSplit ${columns.validationSplit} and testSplit ${columns.testSplit} (${split.train.length} training, ${split.validation.length} validation, ${split.test.length} test)` },
    ]);
  }
  const classes = new Set(result.labels);
  if (classes.size < 2) throw new CsvDatasetError([{ column: columns.label, message: `holds one class ('${[...classes][0] ?? ''}'); a classifier needs at least two` }]);
  const trained = new Set(split.train.map((i) => result.labels[i]));
  for (const [name, rows] of [['validation', split.validation], ['test', split.test]] as const) {
    for (const i of rows) {
      const label = result.labels[i];
      if (!trained.has(label)) {
        add({ line: result.lines[i], column: columns.label, message: `class '${label}' is in the ${name} split but in no training sample; give it more rows or merge it into another class` });
        trained.add(label);
      }
    }
  }
  if (issues.length) throw new CsvDatasetError(issues);
  return result.samples;
}

interface Built {
  samples: ClassificationSamples;
  /** Each sample's label and the line that names it (for messages). */
  labels: string[];
  lines: number[];
}

function textSamples(table: CsvTable, columns: ClassificationColumns, textColumn: string, add: (issue: CsvIssue) => void): Built {
  const texts = table.cells[textColumn];
  const labels = table.cells[columns.label];
  texts.forEach((text, row) => {
    if (text === '') add({ line: line(row), column: textColumn, message: 'the text is empty' });
    else if (Number.isFinite(Number(text))) add({ line: line(row), column: textColumn, message: `'${text}' is a number, not text` });
    else {
      const length = Array.from(text).length;
      if (length > columns.maxLength) add({ line: line(row), column: textColumn, message: `the text has ${length} characters, more than maxLength ${columns.maxLength}` });
    }
  });
  const samples = texts.map((text, row) => ({ text, label: labels[row] }));
  const split = classificationSplit(samples.length, columns);
  return { samples: { kind: 'text', samples, split }, labels: [...labels], lines: texts.map((_, row) => line(row)) };
}

function seriesSamples(table: CsvTable, columns: ClassificationColumns, add: (issue: CsvIssue) => void): Built {
  const labels = table.cells[columns.label];
  const rowOf = (row: number) => columns.features.map((f) => table.values[f][row]);
  const features = [...columns.features];
  const sequence = columns.sequence ?? null;
  if (columns.sequence !== undefined) {
    const groups = new Map<string, { rows: number[]; label: string }>();
    table.cells[columns.sequence].forEach((id, row) => {
      if (id === '') return add({ line: line(row), column: columns.sequence, message: 'the sequence id is missing' });
      const group = groups.get(id);
      if (!group) return void groups.set(id, { rows: [row], label: labels[row] });
      group.rows.push(row);
      if (group.rows.length === columns.maxLength + 1) add({ line: line(row), column: columns.sequence, message: `sequence '${id}' is longer than maxLength ${columns.maxLength} rows` });
      if (labels[row] !== group.label && labels[row] !== '') {
        add({ line: line(row), column: columns.label, message: `sequence '${id}' is labelled '${group.label}' on line ${line(group.rows[0])} and '${labels[row]}' here; a sequence has one label` });
      }
    });
    const sequences = [...groups.values()];
    const samples = sequences.map(({ rows, label }) => ({ steps: rows.map(rowOf), label, line: line(rows[0]) }));
    const split = classificationSplit(samples.length, columns);
    return { samples: { kind: 'series', features, sequence, samples, split }, labels: samples.map((s) => s.label), lines: samples.map((s) => s.line) };
  }
  const window = columns.window ?? 1;
  const n = table.rowCount;
  const values = (n - window + 1) * window * features.length;
  if (values > MAX_WINDOW_VALUES) {
    add({ column: columns.label, message: `windows of ${window} rows make ${values.toLocaleString('en')} input values; at most ${MAX_WINDOW_VALUES.toLocaleString('en')} (use a shorter window, fewer features or fewer rows)` });
    return { samples: { kind: 'series', features, sequence, samples: [], split: { train: [], validation: [], test: [] } }, labels: [], lines: [] };
  }
  const testRows = Math.round(n * columns.testSplit);
  const valRows = Math.round(n * columns.validationSplit);
  const parts = [
    [0, n - valRows - testRows],
    [n - valRows - testRows, n - testRows],
    [n - testRows, n],
  ] as const;
  const samples: LabelledSeries[] = [];
  const split: SampleSplit = { train: [], validation: [], test: [] };
  const [train, validation, test] = [split.train, split.validation, split.test];
  parts.forEach(([start, end], part) => {
    for (let last = start + window - 1; last < end; last++) {
      [train, validation, test][part].push(samples.length);
      const rows = Array.from({ length: window }, (_, k) => last - window + 1 + k);
      samples.push({ steps: rows.map(rowOf), label: labels[last], line: line(last) });
    }
  });
  return { samples: { kind: 'series', features, sequence, samples, split }, labels: samples.map((s) => s.label), lines: samples.map((s) => s.line) };
}
