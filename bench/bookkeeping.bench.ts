import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { SweepDto } from '@tuneforge/contracts';
import { dropDatabase, ensureDatabase } from '@tuneforge/persistence';
import { adminFetch, AppProcess, startCoordinatorProcess, waitFor } from '@tuneforge/testing';
import { anchorResult } from './anchor-result';

export interface TuneforgeRound {
  seconds: number;
  trialsPerSecond: number;
  pruned: number;
}

export type OptunaRound = { seconds: number; trialsPerSecond: number; trials: number } | { error: string };

export interface BookkeepingResult {
  trials: number;
  epochs: number;
  workers: number;
  slotsPerWorker: number;
  /** One Tuneforge sweep and one Optuna study per round, run one after the other. */
  rounds: { tuneforge: TuneforgeRound; optuna: OptunaRound }[];
}

/**
 * Orchestration overhead: `simulated` trials (no training) reporting `epochs` values each with median
 * stopping, through the real API, queue, worker processes and PostgreSQL, timed from the POST to the
 * sweep's recorded finish; then the Optuna anchor with the same trials, epochs and worker processes. Each round
 * gives both a fresh database and runs them back to back, so a slow spell of a shared machine hits
 * one round's pair rather than one system; the report takes the median round.
 */
export async function bookkeeping(
  env: { DATABASE_URL: string; REDIS_URL: string; QUEUE_PREFIX: string },
  trials: number,
  epochs: number,
  workers: number,
  progress: (m: string) => void,
  roundCount = Number(process.env.BENCH_BOOKKEEPING_ROUNDS ?? 3),
): Promise<BookkeepingResult> {
  const slotsPerWorker = Number(process.env.BENCH_SLOTS_PER_WORKER ?? 64);
  const rounds: BookkeepingResult['rounds'] = [];
  for (let round = 1; round <= roundCount; round++) {
    progress(`bookkeeping round ${round}/${roundCount}: ${trials} simulated trials x ${epochs} epochs on ${workers} workers x ${slotsPerWorker} slots`);
    const tuneforge = await tuneforgeRound(
      { ...env, DATABASE_URL: freshDatabaseUrl(env.DATABASE_URL, 'tuneforge_bench_books'), QUEUE_PREFIX: `${env.QUEUE_PREFIX}-books-${round}` },
      trials,
      epochs,
      workers,
      slotsPerWorker,
    );
    progress(`bookkeeping round ${round}: Tuneforge ${tuneforge.trialsPerSecond.toFixed(1)} trials/s; now the Optuna anchor`);
    const optuna = await optunaRound(freshDatabaseUrl(env.DATABASE_URL, 'tuneforge_bench_optuna'), trials, epochs, workers);
    if (!('error' in optuna)) progress(`bookkeeping round ${round}: Optuna ${optuna.trialsPerSecond.toFixed(1)} trials/s`);
    rounds.push({ tuneforge, optuna });
  }
  return { trials, epochs, workers, slotsPerWorker, rounds };
}

type Round = BookkeepingResult['rounds'][number];

/** Tuneforge's trials per second over Optuna's in a round; undefined when Optuna did not run. */
export function roundRatio(round: Round): number | undefined {
  return 'error' in round.optuna ? undefined : round.tuneforge.trialsPerSecond / round.optuna.trialsPerSecond;
}

/** The round whose Tuneforge-to-Optuna ratio is the median (the first round when Optuna did not run). */
export function medianRound(result: BookkeepingResult): Round {
  const sorted = [...result.rounds].sort((a, b) => (roundRatio(a) ?? 0) - (roundRatio(b) ?? 0));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function freshDatabaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function tuneforgeRound(env: Record<string, string>, trials: number, epochs: number, workers: number, slotsPerWorker: number): Promise<TuneforgeRound> {
  await dropDatabase(env.DATABASE_URL);
  // Warnings and errors only, as the anchor sets Optuna's logging to WARNING.
  const quiet = { LOG_LEVEL: 'warn' };
  const { process: coordinator, api } = await startCoordinatorProcess({ ...env, ...quiet, DISPATCH_INTERVAL_MS: '1000' });
  const processes = Array.from(
    { length: workers },
    (_, i) => new AppProcess('apps/worker/src/main.ts', { ...env, ...quiet, WORKER_ID: `bench-${i}`, WORKER_CONCURRENCY: String(slotsPerWorker), TF_BACKEND: 'cpu', METRICS_FLUSH_MS: '50' }),
  );
  try {
    await waitFor('the workers are live', async () => ((await (await adminFetch(`${api}/workers`)).json()) as { items: unknown[] }).items.length === workers);
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
    const started = Date.now();
    const response = await adminFetch(`${api}/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    const { id } = (await response.json()) as { id: string };
    const done = await waitFor(
      'the bookkeeping sweep ends',
      async () => {
        const sweep = (await (await adminFetch(`${api}/sweeps/${id}`)).json()) as SweepDto;
        return sweep.status === 'completed' ? sweep : undefined;
      },
      30 * 60_000,
    );
    // The sweep's own finish time: polling every 250 ms would add up to 250 ms to a run of a few seconds.
    if (!done.finishedAt) throw new Error(`sweep ${id} is completed but has no finishedAt`);
    const seconds = (Date.parse(done.finishedAt) - started) / 1000;
    return { seconds, trialsPerSecond: done.trialCounts.total / seconds, pruned: done.trialCounts.pruned };
  } finally {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await coordinator.stop('SIGTERM');
  }
}

/** Optuna gets a fresh database of its own on the same server, as Tuneforge had. */
async function optunaRound(databaseUrl: string, trials: number, epochs: number, workers: number): Promise<OptunaRound> {
  await dropDatabase(databaseUrl);
  await ensureDatabase(databaseUrl);
  try {
    if (process.env.BENCH_SKIP_OPTUNA) throw new Error('skipped (BENCH_SKIP_OPTUNA)');
    const out = execFileSync('/usr/bin/python3', [join(__dirname, '../../shared/anchors/optuna_bookkeeping.py'), String(trials), String(epochs), String(workers), 'random'], {
      env: { ...process.env, OPTUNA_DB_URL: databaseUrl.replace(/^postgres(ql)?:/, 'postgresql+psycopg2:') },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result = anchorResult<{ seconds: number; trials_per_s: number; trials: number }>('optuna_bookkeeping.py', out);
    return { seconds: result.seconds, trialsPerSecond: result.trials_per_s, trials: result.trials };
  } catch (error) {
    return { error: `the anchor did not run (apt-get install -y python3-optuna python3-psycopg2): ${(error as Error).message.split('\n')[0]}` };
  }
}
