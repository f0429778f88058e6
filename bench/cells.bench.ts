/**
 * The recurrent family against the baselines: for births (test MAE), first names (test accuracy) and spam (test
 * macro-F1), a fixed-budget sweep per cell (lstm, gru, rnn) through the stack (coordinator, two workers on the
 * native engine), and the best trial's score on the test split beside the dataset's baselines on the same rows.
 * Usage: npm run bench:cells [-- --cells lstm,gru,rnn --datasets births,names,spam]   (replaces BENCHMARKS.md's section)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import type { SweepDto } from '@tuneforge/contracts';
import { ownArgs } from './own-args';
import { runSweep, withBenchStack } from './bench-stack';
import { replaceSection } from './strongest-anchors';

const ROOT = join(__dirname, '..');

interface DatasetCase {
  label: string;
  example: string;
  /** The test score reported and its baselines, by metric name. */
  test: string;
  baselines: { name: string; metric: string }[];
  lowerIsBetter: boolean;
  budget: { maxTrials: number; maxConcurrent: number; maxEpochsPerTrial: number };
}

const CASES: Record<string, DatasetCase> = {
  births: {
    label: 'births (test MAE, births/day)',
    example: 'examples/births-tpe-asha.yaml',
    test: 'test_mae',
    baselines: [{ name: 'seasonal naive', metric: 'seasonal_naive_test_mae' }],
    lowerIsBetter: true,
    budget: { maxTrials: 12, maxConcurrent: 2, maxEpochsPerTrial: 32 },
  },
  names: {
    label: 'first names (test accuracy)',
    example: 'examples/names-cells.yaml',
    test: 'test_accuracy',
    baselines: [
      { name: 'majority class', metric: 'majority_test_accuracy' },
      { name: 'bag of characters', metric: 'bag_of_chars_test_accuracy' },
    ],
    lowerIsBetter: false,
    budget: { maxTrials: 12, maxConcurrent: 2, maxEpochsPerTrial: 16 },
  },
  spam: {
    label: 'spam (test macro-F1)',
    example: 'examples/spam-gru.yaml',
    test: 'test_macro_f1',
    baselines: [
      { name: 'majority class', metric: 'majority_test_macro_f1' },
      { name: 'bag of characters', metric: 'bag_of_chars_test_macro_f1' },
    ],
    lowerIsBetter: false,
    budget: { maxTrials: 6, maxConcurrent: 2, maxEpochsPerTrial: 8 },
  },
};

interface CellResult {
  dataset: string;
  cell: string;
  seconds: number;
  trials: number;
  validation: number;
  test: number | null;
  baselines: (number | null)[];
}

/** The example's spec with the cell fixed and the budget of the case (the rest of its search space as it is). */
function specFor(c: DatasetCase, cell: string): string {
  const spec = parse(readFileSync(join(ROOT, c.example), 'utf8')) as { name: string; searchSpace: Record<string, unknown>; budget: unknown; algorithm?: { startupTrials?: number } };
  spec.name = `cells-${cell}-${spec.name}`;
  spec.searchSpace = { ...spec.searchSpace, cell };
  spec.budget = c.budget;
  if (spec.algorithm?.startupTrials) spec.algorithm.startupTrials = Math.min(spec.algorithm.startupTrials, Math.floor(c.budget.maxTrials / 2));
  return stringify(spec);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: ownArgs(module), options: { cells: { type: 'string', default: 'lstm,gru,rnn' }, datasets: { type: 'string', default: 'births,names,spam' } } });
  const results: CellResult[] = [];
  await withBenchStack('cells', 2, async (api) => {
    for (const dataset of values.datasets.split(',')) {
      const c = CASES[dataset];
      if (!c) throw new Error(`unknown dataset '${dataset}' (${Object.keys(CASES).join(', ')})`);
      for (const cell of values.cells.split(',')) {
        process.stderr.write(`[bench] cells: ${dataset} with ${cell}\n`);
        const { sweep, started } = await runSweep(api, specFor(c, cell), `cells-${process.pid}-${dataset}-${cell}`);
        results.push(resultOf(dataset, cell, sweep, started, c));
        const last = results[results.length - 1];
        process.stderr.write(`[bench] cells: ${dataset} ${cell}: validation ${last.validation}, ${c.test} ${last.test} (${last.seconds.toFixed(0)} s)\n`);
      }
    }
  });
  const section = cellsSection(results);
  const file = join(ROOT, 'BENCHMARKS.md');
  writeFileSync(file, replaceSection(readFileSync(file, 'utf8'), '## The recurrent family', section, '## Search efficiency'));
  process.stdout.write(section.join('\n') + '\n');
}

function resultOf(dataset: string, cell: string, sweep: SweepDto, started: number, c: DatasetCase): CellResult {
  const test = sweep.best?.testMetrics ?? null;
  return {
    dataset,
    cell,
    seconds: (Date.parse(sweep.finishedAt as string) - started) / 1000,
    trials: sweep.trialCounts.total,
    validation: sweep.best?.value ?? NaN,
    test: test?.[c.test] ?? null,
    baselines: c.baselines.map((b) => test?.[b.metric] ?? null),
  };
}

const shown = (n: number | null) => (n === null || !Number.isFinite(n) ? '-' : String(Number(n.toPrecision(4))));

function cellsSection(results: CellResult[]): string[] {
  const lines = [
    '## The recurrent family: each cell against the baselines',
    '',
    'Command: `npm run bench:cells` (`bench/cells.bench.ts`). For each dataset, one sweep per cell with the cell fixed and the rest of',
    "the example's search space (`examples/births-tpe-asha.yaml`, `names-cells.yaml`, `spam-gru.yaml`) on a fixed budget, through the",
    'stack (coordinator and two workers on the native engine). The sweep picks its best trial on the validation split; the table gives',
    "that trial's score on the test split, which nothing selected on, beside the baselines on the same rows.",
    '',
  ];
  for (const [dataset, c] of Object.entries(CASES)) {
    const rows = results.filter((r) => r.dataset === dataset);
    if (rows.length === 0) continue;
    lines.push(`**${c.label}**: ${c.budget.maxTrials} trials of at most ${c.budget.maxEpochsPerTrial} epochs per cell`, '');
    lines.push(`| cell | trials | wall s | best validation | ${c.test} | ${c.baselines.map((b) => b.name).join(' | ')} |`);
    lines.push(`|---|---|---|---|---|${c.baselines.map(() => '---').join('|')}|`);
    for (const r of rows) lines.push(`| ${r.cell} | ${r.trials} | ${r.seconds.toFixed(0)} | ${shown(r.validation)} | ${shown(r.test)} | ${r.baselines.map(shown).join(' | ')} |`);
    const beats = (test: number | null, baseline: number | null) => test !== null && (baseline === null || (c.lowerIsBetter ? test < baseline : test > baseline));
    const beaten = rows.every((r) => r.baselines.every((b) => beats(r.test, b)));
    lines.push('', beaten ? 'Every cell beats every baseline on the test split.' : 'Not every cell beats every baseline on the test split (see the rows).', '');
  }
  lines.push(`Measured ${new Date().toISOString().slice(0, 10)}.`);
  return lines;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
