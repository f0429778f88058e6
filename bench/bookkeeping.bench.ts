import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { SweepDto } from '@tuneforge/contracts';
import { dropDatabase, ensureDatabase } from '@tuneforge/persistence';
import { AppProcess, startCoordinatorProcess, waitFor } from '@tuneforge/testing';

export interface BookkeepingResult {
  trials: number;
  epochs: number;
  workers: number;
  slotsPerWorker: number;
  tuneforge: { seconds: number; trialsPerSecond: number; pruned: number };
  optuna: { seconds: number; trialsPerSecond: number; trials: number } | { error: string };
}

/**
 * Orchestration overhead: `simulated` trials (no training) reporting `epochs` values each with median
 * stopping, through the real API, queue, worker processes and PostgreSQL, timed from the POST to the
 * sweep's end; then the Optuna anchor with the same trials, epochs and worker processes.
 */
export async function bookkeeping(env: Record<string, string>, trials: number, epochs: number, workers: number, progress: (m: string) => void): Promise<BookkeepingResult> {
  const slotsPerWorker = Number(process.env.BENCH_SLOTS_PER_WORKER ?? 64);
  // Warnings and errors only, as the anchor sets Optuna's logging to WARNING.
  const quiet = { LOG_LEVEL: 'warn' };
  const { process: coordinator, api } = await startCoordinatorProcess({ ...env, ...quiet, DISPATCH_INTERVAL_MS: '1000' });
  const processes = Array.from(
    { length: workers },
    (_, i) => new AppProcess('apps/worker/src/main.ts', { ...env, ...quiet, WORKER_ID: `bench-${i}`, WORKER_CONCURRENCY: String(slotsPerWorker), TF_BACKEND: 'cpu', METRICS_FLUSH_MS: '50' }),
  );
  try {
    await waitFor('the workers are live', async () => ((await (await fetch(`${api}/workers`)).json()) as { items: unknown[] }).items.length === workers);
    const spec = {
      name: 'bench-bookkeeping',
      dataset: { source: 'builtin', name: 'us-births-1969-1988' },
      model: 'simulated',
      objective: { metric: 'val_loss', direction: 'minimize' },
      searchSpace: { learningRate: { type: 'float', min: 1e-4, max: 1e-1, log: true }, hiddenUnits: { type: 'int', min: 16, max: 256 } },
      algorithm: { type: 'random' },
      earlyStopping: { type: 'median', warmupEpochs: 0, minTrials: 5 },
      budget: { maxTrials: trials, maxConcurrent: Number(process.env.BENCH_MAX_CONCURRENT ?? workers * slotsPerWorker), maxEpochsPerTrial: epochs },
      checkpointEvery: epochs,
      seed: 1,
    };
    progress(`bookkeeping: ${trials} simulated trials x ${epochs} epochs on ${workers} workers x ${slotsPerWorker} slots`);
    const started = performance.now();
    const response = await fetch(`${api}/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    const { id } = (await response.json()) as { id: string };
    const done = await waitFor(
      'the bookkeeping sweep ends',
      async () => {
        const sweep = (await (await fetch(`${api}/sweeps/${id}`)).json()) as SweepDto;
        return sweep.status === 'completed' ? sweep : undefined;
      },
      30 * 60_000,
    );
    const seconds = (performance.now() - started) / 1000;
    const tuneforge = { seconds, trialsPerSecond: done.trialCounts.total / seconds, pruned: done.trialCounts.pruned };
    progress(`bookkeeping: Tuneforge ${tuneforge.trialsPerSecond.toFixed(1)} trials/s; now the Optuna anchor`);
    let optuna: BookkeepingResult['optuna'];
    // Optuna gets a fresh database of its own on the same server, as Tuneforge had.
    const optunaDb = new URL(env.DATABASE_URL);
    optunaDb.pathname = '/tuneforge_bench_optuna';
    await dropDatabase(optunaDb.toString());
    await ensureDatabase(optunaDb.toString());
    try {
      if (process.env.BENCH_SKIP_OPTUNA) throw new Error('skipped');
      const out = execFileSync('/usr/bin/python3', [join(__dirname, '../../shared/anchors/optuna_bookkeeping.py'), String(trials), String(epochs), String(workers), 'random'], {
        env: { ...process.env, OPTUNA_DB_URL: optunaDb.toString().replace(/^postgres(ql)?:/, 'postgresql+psycopg2:') },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const result = JSON.parse(out.trim().split('\n').at(-1)!);
      optuna = { seconds: result.seconds, trialsPerSecond: result.trials_per_s, trials: result.trials };
    } catch (error) {
      optuna = { error: `the anchor did not run (apt-get install -y python3-optuna python3-psycopg2): ${(error as Error).message.split('\n')[0]}` };
    }
    return { trials, epochs, workers, slotsPerWorker, tuneforge, optuna };
  } finally {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await coordinator.stop('SIGTERM');
  }
}
