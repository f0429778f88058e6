// The longest event-loop block while a worker opens a trial session: building the seeded model (or
// restoring it from a checkpoint), on the native engine and on tfjs, for births (window 28). A block past
// JOB_LOCK_MS (15 s) lets BullMQ's job lock lapse and the trial is handed out twice.
// Usage: node -r ./tools/register.js bench/event-loop.ts [--models 256x2,128x2] [--engines native,tfjs]
// (the tfjs backend is the one a worker selects: TF_BACKEND, else the first that loads). Writes tmp/bench-event-loop.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { TrialConfig } from '@tuneforge/contracts';
import * as training from '@tuneforge/training';
import { openLstmSession, selectTrainingEngine, type TrainingData, type TrainingEngine } from '@tuneforge/training';
import { decodeCheckpoint } from '@tuneforge/formats';
import { ownArgs } from './own-args';

const { values } = parseArgs({ args: ownArgs(module), options: { models: { type: 'string', default: '256x2,128x2' }, engines: { type: 'string', default: 'native,tfjs' } } });

const DATASET: TrialConfig['dataset'] = { source: 'builtin', name: 'us-births-1969-1988', window: 28, horizon: 1, validationSplit: 0.2, testSplit: 0.1 };
const SOTU: TrialConfig['dataset'] = { source: 'builtin', name: 'sotu', window: 64, maxChars: 200_000, validationSplit: 0.2, testSplit: 0.1 };

/** How a worker gets a trial's data: loadTrainingData (windowed on the setup thread) where there is one, else trainingDataFor. */
const offThreadLoad = (training as { loadTrainingData?: (dataset: TrialConfig['dataset']) => Promise<TrainingData> }).loadTrainingData;
const loadData = (dataset: TrialConfig['dataset']): Promise<TrainingData> | TrainingData => (offThreadLoad ? offThreadLoad(dataset) : training.trainingDataFor(dataset));
const OBJECTIVE = { metric: 'val_mae', direction: 'minimize' } as const;

interface Block {
  /** Longest event-loop delay seen (monitorEventLoopDelay, 10 ms resolution). */
  maxBlockMs: number;
  wallMs: number;
}

/** What `step` costs the event loop: its longest block, and how long it took. */
async function measure<T>(step: () => Promise<T> | T): Promise<{ value: T } & Block> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  // Let the histogram's timer start before the step can block.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const started = performance.now();
  const value = await step();
  const wallMs = performance.now() - started;
  // One more turn: a block at the very end is recorded when the timer next fires.
  await new Promise((resolve) => setTimeout(resolve, 20));
  histogram.disable();
  return { value, maxBlockMs: histogram.max / 1e6, wallMs };
}

function aConfig(units: number, layers: number): TrialConfig {
  return {
    model: 'lstm',
    dataset: DATASET,
    hyperparameters: { hiddenUnits: units, layers, dropout: 0, recurrentDropout: 0, learningRate: 1e-3, batchSize: 64 },
    maxEpochs: 1,
    checkpointEvery: 1,
  };
}

interface Row {
  engine: string;
  model: string;
  open: Block;
  checkpoint: Block;
  restore: Block;
}

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);

async function main(): Promise<void> {
  const engines: Record<string, TrainingEngine> = {
    native: await selectTrainingEngine({ ...process.env, TRAIN_ENGINE: 'native' }),
    tfjs: await selectTrainingEngine({ ...process.env, TRAIN_ENGINE: 'tfjs' }),
  };
  const data = await measure(() => loadData(DATASET));
  const sotu = await measure(() => loadData(SOTU));
  const rows: Row[] = [];
  for (const model of values.models.split(',').filter(Boolean)) {
    const [units, layers] = model.split('x').map(Number);
    for (const kind of values.engines.split(',')) {
      const engine = engines[kind];
      if (!engine) throw new Error(`unknown engine '${kind}' (native, tfjs)`);
      const config = aConfig(units, layers);
      const open = await measure(() => openLstmSession(engine, data.value, config, 1, OBJECTIVE));
      const checkpoint = await measure(() => open.value.session.checkpoint());
      const restore = await measure(async () => openLstmSession(engine, data.value, config, 1, OBJECTIVE, decodeCheckpoint(checkpoint.value)));
      open.value.session.dispose();
      restore.value.session.dispose();
      const row: Row = { engine: open.value.backend, model, open, checkpoint, restore };
      for (const step of ['open', 'checkpoint', 'restore'] as const) row[step] = { maxBlockMs: row[step].maxBlockMs, wallMs: row[step].wallMs };
      rows.push(row);
      console.error(`${row.engine} ${model}: open blocks ${ms(open.maxBlockMs)} (${ms(open.wallMs)}), checkpoint ${ms(checkpoint.maxBlockMs)}, restore ${ms(restore.maxBlockMs)}`);
    }
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const result: EventLoopResult = {
    commit,
    backend: engines.tfjs.tfjs.name,
    loader: offThreadLoad ? 'loadTrainingData' : 'trainingDataFor',
    datasets: [
      { ...DATASET, maxBlockMs: data.maxBlockMs, wallMs: data.wallMs },
      { ...SOTU, maxBlockMs: sotu.maxBlockMs, wallMs: sotu.wallMs },
    ],
    rows,
  };
  console.log(eventLoopReport(result).join('\n'));
  const out = join(__dirname, '..', 'tmp', 'bench-event-loop.json');
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
}

export interface EventLoopResult {
  commit: string;
  /** The tfjs backend (what the tfjs engine trains on, and what the setup thread computes initial weights with). */
  backend: string;
  /** How the datasets were loaded: loadTrainingData (on the setup thread) or, on commits before it, trainingDataFor. */
  loader: string;
  datasets: (TrialConfig['dataset'] & Block)[];
  rows: Row[];
}

/** The markdown of one run (tmp/bench-event-loop.json), as printed and as bench/run.ts writes it into BENCHMARKS.md. */
export function eventLoopReport(result: EventLoopResult): string[] {
  const [births, sotu] = result.datasets;
  return [
    `commit ${result.commit}; tfjs backend ${result.backend}; births, window 28; longest event-loop block (monitorEventLoopDelay, 10 ms resolution), wall time in brackets`,
    '',
    '| engine | model | open (fresh, seeded) | checkpoint() | open from checkpoint |',
    '|---|---|---|---|---|',
    ...result.rows.map(
      (r) => `| ${r.engine} | ${r.model} | ${ms(r.open.maxBlockMs)} (${ms(r.open.wallMs)}) | ${ms(r.checkpoint.maxBlockMs)} (${ms(r.checkpoint.wallMs)}) | ${ms(r.restore.maxBlockMs)} (${ms(r.restore.wallMs)}) |`,
    ),
    '',
    `datasets (${result.loader}): births, window 28: ${ms(births.maxBlockMs)} (${ms(births.wallMs)}); sotu, window 64, 200,000 characters: ${ms(sotu.maxBlockMs)} (${ms(sotu.wallMs)})`,
  ];
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
