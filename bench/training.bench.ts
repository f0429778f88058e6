import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildRecurrentModel, selectBackend, TrialTrainer } from '@tuneforge/training';
import { randomForecastData } from './random-forecast-data';
import { anchorResult } from './anchor-result';

/** Reference workload W1 of ../shared/anchors/README.md: T=50, F=8, H=64, B=64. */
export const W1 = { T: 50, F: 8, H: 64, B: 64, N: 2048 };

export interface TrainingResult {
  tfjs: { backend: string; samplesPerSecond: number };
  torch: { samplesPerSecond: number; threads: number } | { error: string };
}

/**
 * The worker's own training loop (TrialTrainer: seeded shuffles, trainOnBatch, event-loop yields)
 * on W1, one warm-up epoch then two timed ones, as the PyTorch anchor measures itself.
 */
export async function trainingThroughput(progress: (message: string) => void): Promise<TrainingResult> {
  const backend = await selectBackend(process.env.TF_BACKEND ?? undefined);
  const { T, F, H, B, N } = W1;
  const data = randomForecastData(N, T, F, 64);
  const model = buildRecurrentModel(data, { hiddenUnits: H, layers: 1, dropout: 0, recurrentDropout: 0, learningRate: 1e-3 }, 1);
  const trainer = new TrialTrainer(model, data, B, 1);
  progress(`W1 on tfjs ${backend.name}: warm-up epoch`);
  await trainer.trainEpoch(1, 1e-3);
  const rates: number[] = [];
  for (const epoch of [2, 3]) rates.push((await trainer.trainEpoch(epoch, 1e-3)).samples_per_second);
  model.dispose();
  const tfjs = { backend: backend.name, samplesPerSecond: (rates[0] + rates[1]) / 2 };

  progress('W1 on PyTorch (anchor torch_lstm_cpu.py, 1 thread)');
  let torch: TrainingResult['torch'];
  try {
    const out = execFileSync('/usr/bin/python3', [join(__dirname, '../../shared/anchors/torch_lstm_cpu.py'), `${T},${F},${H},${B},${N}`], {
      env: { ...process.env, TORCH_THREADS: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result = anchorResult<{ samples_per_s: number; threads: number }>('torch_lstm_cpu.py', out);
    torch = { samplesPerSecond: result.samples_per_s, threads: result.threads };
  } catch (error) {
    torch = { error: `the anchor did not run (apt-get install -y python3-torch libopenblas0): ${(error as Error).message.split('\n')[0]}` };
  }
  return { tfjs, torch };
}
