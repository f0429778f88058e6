// Samples/s of the native LSTM engine against the PyTorch anchor (../shared/anchors/torch_lstm_cpu.py), in one run.
// Each round measures PyTorch, the raw engine at each thread count and the worker's NativeTrialSession in turn;
// the table shows each one's median over the rounds, so load from other processes hits all of them alike.
// Usage: npm run bench:engine -- [--workloads W1,W2] [--threads 1,2] [--rounds 3] [--cell lstm|gru|rnn]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { TrialConfig } from '@tuneforge/contracts';
import { ENGINE_CELLS, loadEngine, type EngineCell } from '@tuneforge/lstm-engine';
import { NativeTrialSession, selectBackend } from '@tuneforge/training';
import { randomForecastData } from './random-forecast-data';

const WORKLOADS: Record<string, { T: number; F: number; H: number; B: number; N: number }> = {
  W1: { T: 50, F: 8, H: 64, B: 64, N: 4096 },
  W2: { T: 100, F: 32, H: 256, B: 256, N: 1024 },
  W3: { T: 100, F: 32, H: 512, B: 1024, N: 2048 },
  // The demo job's shapes (examples/births-tpe-asha.yaml: 14 days of 5 inputs, 5,113 training windows): small matrices.
  B1: { T: 14, F: 5, H: 85, B: 32, N: 5113 },
  B2: { T: 14, F: 5, H: 48, B: 128, N: 5113 },
};

const { values } = parseArgs({
  options: {
    workloads: { type: 'string', default: 'W1,W2' },
    threads: { type: 'string', default: '1,2' },
    rounds: { type: 'string', default: '3' },
    /** The recurrent cell of the engine, the session and the anchor (CELL=gru|rnn: nn.GRU, nn.RNN). */
    cell: { type: 'string', default: 'lstm' },
  },
});
const CELL = ENGINE_CELLS.find((cell) => cell === values.cell);
if (!CELL) throw new Error(`--cell must be one of ${ENGINE_CELLS.join(', ')}, not '${values.cell}'`);

function uniformSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** As the anchor measures itself: the cell F->H, last step -> dense 1, MSE, Adam 1e-3, batches in order; one warm-up epoch, two timed. */
function rawEngine(name: string, threads: number): number {
  const engine = loadEngine();
  if (!engine.available) throw new Error(engine.reason);
  const { T, F, H, B, N } = WORKLOADS[name];
  engine.addon.setThreads(threads);
  const net = new engine.addon.LstmNet({ task: 'forecast', timesteps: T, inputSize: F, hiddenUnits: [H], cells: [CELL as EngineCell], outputs: 1, learningRate: 1e-3 });
  const uniform = uniformSource(1);
  net.paramInfo().forEach((info, i) => {
    const scale = info.shape.length > 1 ? Math.sqrt(6 / (info.shape[0] + info.shape[1])) : 0;
    net.setParam(i, Float32Array.from({ length: info.shape.reduce((a, b) => a * b, 1) }, () => uniform() * scale));
  });
  const x = Float32Array.from({ length: N * T * F }, uniform);
  const y = Float32Array.from({ length: N }, uniform);
  const batches = Array.from({ length: Math.ceil(N / B) }, (_, k) => Int32Array.from({ length: Math.min(B, N - k * B) }, (_, i) => k * B + i));
  const epoch = () => batches.forEach((indices) => net.trainBatch(x, y, indices, 0));
  epoch();
  const started = performance.now();
  epoch();
  epoch();
  const rate = (2 * N) / ((performance.now() - started) / 1000);
  net.release();
  engine.addon.setThreads(1);
  return rate;
}

/** The worker's path: NativeTrialSession's epochs (seeded shuffles, event-loop yields), samples_per_second of epochs 2 and 3. */
async function sessionEngine(name: string): Promise<number> {
  const { T, F, H, B, N } = WORKLOADS[name];
  const data = randomForecastData(N, T, F, B);
  const config: TrialConfig = {
    model: 'lstm',
    dataset: { source: 'builtin', name: 'bench' },
    hyperparameters: { cell: CELL as EngineCell, hiddenUnits: H, layers: 1, dropout: 0, recurrentDropout: 0, learningRate: 1e-3, batchSize: B },
    maxEpochs: 3,
    checkpointEvery: 3,
  };
  const session = await NativeTrialSession.open(data, config, 1, { metric: 'val_loss', direction: 'minimize' });
  await session.trainNextEpoch();
  const rates = [(await session.trainNextEpoch()).samples_per_second, (await session.trainNextEpoch()).samples_per_second];
  session.dispose();
  tf.dispose([data.trainX, data.trainY, data.valX, data.valY, data.testX, data.testY]);
  return (rates[0] + rates[1]) / 2;
}

/**
 * The anchor as written (TORCH_THREADS=1), or with OpenBLAS held to one thread too: torch.set_num_threads(1)
 * leaves Debian's OpenBLAS free to start a thread per core, so the anchor's GEMMs can use both cores.
 */
function torch(name: string, blasOneThread: boolean): number {
  const { T, F, H, B, N } = WORKLOADS[name];
  const out = execFileSync('/usr/bin/python3', [join(__dirname, '../../shared/anchors/torch_lstm_cpu.py'), `${T},${F},${H},${B},${N}`], {
    env: { ...process.env, TORCH_THREADS: '1', CELL, ...(blasOneThread ? { OPENBLAS_NUM_THREADS: '1' } : {}) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}').samples_per_s;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const format = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const engine = loadEngine();
  if (!engine.available) throw new Error(engine.reason);
  await selectBackend('cpu');
  const threads = values.threads.split(',').map(Number);
  const rounds = Number(values.rounds);
  console.log(`cell: ${CELL}; engine: native-cpu, ${engine.blas}; PyTorch: torch_lstm_cpu.py (TORCH_THREADS=1, CELL=${CELL}); median of ${rounds} interleaved rounds\n`);
  const header = [
    'workload',
    'PyTorch anchor',
    'PyTorch, OPENBLAS_NUM_THREADS=1',
    ...threads.map((t) => `engine ${t} thread${t > 1 ? 's' : ''}`),
    'engine in NativeTrialSession',
    ...threads.map((t) => `engine ${t}t / anchor`),
    'session / anchor',
    'engine 1t / PyTorch all 1 thread',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const name of values.workloads.split(',')) {
    const samples: { torch: number[]; torchOne: number[]; raw: number[][]; session: number[] } = { torch: [], torchOne: [], raw: threads.map(() => []), session: [] };
    for (let round = 0; round < rounds; round++) {
      samples.torch.push(torch(name, false));
      samples.torchOne.push(torch(name, true));
      threads.forEach((t, i) => samples.raw[i].push(rawEngine(name, t)));
      samples.session.push(await sessionEngine(name));
      const last = (xs: number[]) => format(xs.at(-1) ?? NaN);
      console.error(`${name} round ${round + 1}: torch ${last(samples.torch)} (1 BLAS thread: ${last(samples.torchOne)}), engine ${samples.raw.map(last).join(' / ')}, session ${last(samples.session)}`);
    }
    const base = median(samples.torch);
    const one = median(samples.torchOne);
    const raw = samples.raw.map(median);
    const session = median(samples.session);
    const { T, F, H, B } = WORKLOADS[name];
    const ratio = (r: number, to: number) => `${(r / to).toFixed(2)}x`;
    lines.push(
      `| ${[`${name} (${T},${F},${H},${B})`, format(base), format(one), ...raw.map(format), format(session), ...raw.map((r) => ratio(r, base)), ratio(session, base), ratio(raw[0], one)].join(' | ')} |`,
    );
  }
  console.log(lines.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
