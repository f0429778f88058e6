// Samples/s of the native LSTM engine against the PyTorch anchor (../shared/anchors/torch_lstm_cpu.py), in one run.
// Usage: npm run bench:engine -- [--workloads W1,W2] [--threads 1,2] [--torch-threads 1]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadEngine } from '@tuneforge/lstm-engine';

const WORKLOADS: Record<string, { T: number; F: number; H: number; B: number; N: number }> = {
  W1: { T: 50, F: 8, H: 64, B: 64, N: 4096 },
  W2: { T: 100, F: 32, H: 256, B: 256, N: 1024 },
  W3: { T: 100, F: 32, H: 512, B: 1024, N: 2048 },
};

const { values } = parseArgs({
  options: { workloads: { type: 'string', default: 'W1,W2' }, threads: { type: 'string', default: '1,2' }, 'torch-threads': { type: 'string', default: '1' } },
});

/** As the anchor measures itself: the same model (LSTM F->H, last step -> dense 1, MSE, Adam 1e-3), one warm-up epoch, two timed ones. */
function engineSamplesPerSecond(name: string, threads: number): number {
  const engine = loadEngine();
  if (!engine.available) throw new Error(engine.reason);
  const { T, F, H, B, N } = WORKLOADS[name];
  engine.addon.setThreads(threads);
  const net = new engine.addon.LstmNet({ task: 'forecast', timesteps: T, inputSize: F, hiddenUnits: [H], outputs: 1, learningRate: 1e-3 });
  let seed = 1;
  const uniform = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  net.paramInfo().forEach((info, i) => {
    const fanIn = info.shape[0];
    const scale = info.shape.length > 1 ? Math.sqrt(6 / (fanIn + info.shape[1])) : 0;
    net.setParam(i, Float32Array.from({ length: info.shape.reduce((a, b) => a * b, 1) }, () => uniform() * scale));
  });
  const x = Float32Array.from({ length: N * T * F }, uniform);
  const y = Float32Array.from({ length: N }, uniform);
  const batches = Array.from({ length: Math.ceil(N / B) }, (_, k) => Int32Array.from({ length: Math.min(B, N - k * B) }, (_, i) => k * B + i));
  const epoch = () => {
    let loss = 0;
    for (const indices of batches) loss = net.trainBatch(x, y, indices, 0);
    return loss;
  };
  epoch();
  const started = performance.now();
  epoch();
  epoch();
  return (2 * N) / ((performance.now() - started) / 1000);
}

function torchSamplesPerSecond(name: string, threads: number): number | string {
  const { T, F, H, B, N } = WORKLOADS[name];
  try {
    const out = execFileSync('/usr/bin/python3', [join(__dirname, '../../shared/anchors/torch_lstm_cpu.py'), `${T},${F},${H},${B},${N}`], {
      env: { ...process.env, TORCH_THREADS: String(threads) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').at(-1) ?? '{}').samples_per_s;
  } catch (error) {
    return `did not run (apt-get install -y python3-torch libopenblas0): ${(error as Error).message.split('\n')[0]}`;
  }
}

const format = (n: number) => Math.round(n).toLocaleString('en-US');
const engine = loadEngine();
console.log(`engine: ${engine.available ? `native-cpu, ${engine.blas}` : engine.reason}\n`);
const threadCounts = values.threads.split(',').map(Number);
const torchThreads = values['torch-threads'].split(',').map(Number);
const header = ['workload', ...torchThreads.map((t) => `PyTorch ${t} thread(s)`), ...threadCounts.map((t) => `engine ${t} thread(s)`), ...threadCounts.map((t) => `engine ${t} / PyTorch ${torchThreads[0]}`)];
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const name of values.workloads.split(',')) {
  const { T, F, H, B } = WORKLOADS[name];
  const torch = torchThreads.map((t) => torchSamplesPerSecond(name, t));
  const ours = threadCounts.map((t) => engineSamplesPerSecond(name, t));
  const base = torch[0];
  const cells = [
    `${name} (${T},${F},${H},${B})`,
    ...torch.map((r) => (typeof r === 'number' ? format(r) : r)),
    ...ours.map(format),
    ...ours.map((r) => (typeof base === 'number' ? `${(r / base).toFixed(2)}x` : 'n/a')),
  ];
  console.log(`| ${cells.join(' | ')} |`);
}
