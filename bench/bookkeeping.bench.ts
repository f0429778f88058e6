import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import type { SweepDto } from '@tuneforge/contracts';
import { dropDatabase, ensureDatabase } from '@tuneforge/persistence';
import { adminFetch, AppProcess, startCoordinatorProcess, waitFor } from '@tuneforge/testing';
import { anchorResult } from './anchor-result';

export interface TuneforgeRound {
  seconds: number;
  trialsPerSecond: number;
  pruned: number;
}

export type OptunaRound = { seconds: number; trialsPerSecond: number; trials: number; version: string } | { error: string };

/** Optuna's storages, as the anchor names them: PostgreSQL (RDBStorage), and its JournalStorage on a file and on Redis. */
export const OPTUNA_STORAGES = ['rdb', 'journal-file', 'journal-redis'] as const;
export type OptunaStorage = (typeof OPTUNA_STORAGES)[number];

export interface BookkeepingResult {
  trials: number;
  epochs: number;
  workers: number;
  slotsPerWorker: number;
  /** The Optuna source tree put first on PYTHONPATH (BENCH_OPTUNA_SRC), or null for the installed one. */
  optunaSource: string | null;
  /** One Tuneforge sweep and one Optuna study per storage per round, run one after the other. */
  rounds: { tuneforge: TuneforgeRound; optuna: Partial<Record<OptunaStorage, OptunaRound>> }[];
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
  storages: readonly OptunaStorage[] = OPTUNA_STORAGES,
  optunaSource: string | null = process.env.BENCH_OPTUNA_SRC ?? null,
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
    const optuna: Partial<Record<OptunaStorage, OptunaRound>> = {};
    for (const storage of storages) {
      const result = await optunaRound(storage, { ...env, DATABASE_URL: freshDatabaseUrl(env.DATABASE_URL, 'tuneforge_bench_optuna') }, trials, epochs, workers, optunaSource);
      progress(`bookkeeping round ${round}: Optuna on ${storage}: ${'error' in result ? result.error : `${result.trialsPerSecond.toFixed(1)} trials/s`}`);
      optuna[storage] = result;
    }
    rounds.push({ tuneforge, optuna });
  }
  return { trials, epochs, workers, slotsPerWorker, optunaSource, rounds };
}

type Round = BookkeepingResult['rounds'][number];

/** Optuna's fastest storage in a round (the honest anchor), or undefined when none ran. */
export function fastestOptuna(round: Round): { storage: OptunaStorage; trialsPerSecond: number } | undefined {
  let fastest: { storage: OptunaStorage; trialsPerSecond: number } | undefined;
  for (const [storage, result] of Object.entries(round.optuna) as [OptunaStorage, OptunaRound][]) {
    if (!('error' in result) && result.trialsPerSecond > (fastest?.trialsPerSecond ?? 0)) fastest = { storage, trialsPerSecond: result.trialsPerSecond };
  }
  return fastest;
}

/** Tuneforge's trials per second over Optuna's fastest storage's in a round; undefined when Optuna did not run. */
export function roundRatio(round: Round): number | undefined {
  const fastest = fastestOptuna(round);
  return fastest && round.tuneforge.trialsPerSecond / fastest.trialsPerSecond;
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

/** Optuna's journal on Redis lives in this database of the bench's Redis server, emptied of its keys before each study. */
const OPTUNA_REDIS_DB = 15;

/** The anchor on one storage, each time a fresh one: its own PostgreSQL database, a new journal file, or emptied journal keys. */
async function optunaRound(
  storage: OptunaStorage,
  env: { DATABASE_URL: string; REDIS_URL: string },
  trials: number,
  epochs: number,
  workers: number,
  optunaSource: string | null,
): Promise<OptunaRound> {
  const scratch = mkdtempSync(join(tmpdir(), 'tf-bench-optuna-'));
  try {
    if (process.env.BENCH_SKIP_OPTUNA) throw new Error('skipped (BENCH_SKIP_OPTUNA)');
    const kind = await freshOptunaStorage(storage, env, scratch);
    const out = execFileSync('/usr/bin/python3', [join(__dirname, '../../shared/anchors/optuna_bookkeeping.py'), String(trials), String(epochs), String(workers), 'random'], {
      env: {
        ...process.env,
        ...(optunaSource ? { PYTHONPATH: optunaSource } : {}),
        OPTUNA_STORAGE: kind,
        OPTUNA_DB_URL: env.DATABASE_URL.replace(/^postgres(ql)?:/, 'postgresql+psycopg2:'),
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result = anchorResult<{ seconds: number; trials_per_s: number; trials: number; anchor: string }>('optuna_bookkeeping.py', out);
    return { seconds: result.seconds, trialsPerSecond: result.trials_per_s, trials: result.trials, version: result.anchor };
  } catch (error) {
    return { error: `the anchor did not run (apt-get install -y python3-optuna python3-psycopg2 python3-redis): ${(error as Error).message.split('\n')[0]}` };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Makes an empty storage of the kind and returns the anchor's OPTUNA_STORAGE value for it. */
async function freshOptunaStorage(storage: OptunaStorage, env: { DATABASE_URL: string; REDIS_URL: string }, scratch: string): Promise<string> {
  if (storage === 'rdb') {
    await dropDatabase(env.DATABASE_URL);
    await ensureDatabase(env.DATABASE_URL);
    return 'rdb';
  }
  if (storage === 'journal-file') return `journal-file:${join(scratch, 'journal.log')}`;
  const url = new URL(env.REDIS_URL);
  url.pathname = `/${OPTUNA_REDIS_DB}`;
  const redis = new IORedis(url.toString());
  try {
    // The journal's keys (its default prefix is empty): ':log_number', ':log:<n>', ':snapshot'.
    const keys = await redis.keys(':*');
    for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  } finally {
    redis.disconnect();
  }
  return `journal-redis:${url.toString()}`;
}

/** Issue 13's paired rounds (2026-12-01): kept as measured, since the before code (796aba3) is not rebuilt by a rerun. */
const BOOKKEEPING_ISSUE_13 = [
  "",
  "### Before and after the store layer (issue 13)",
  "",
  "The same bookkeeping round (2000 trials x 20 epochs, 2 workers x 64 slots, then the Optuna anchor), one round per process,",
  "alternating between a clone of `796aba3` (before: SQL in the apps) and one of `24e90fd` (after: the stores, the lifecycle,",
  "fenced late metric points, the live feed's `ix_trials_updated_at`), 8 pairs on 2026-12-01. Command: `bookkeeping(env, 2000, 20, 2,",
  "progress, 1)` from `bench/bookkeeping.bench.ts` of each clone, the function `npm run bench -- --skip-demo --skip-search` runs",
  "three times (the whole `npm run bench` could not run at `796aba3`: its imported scripts refused run.ts's flags).",
  "",
  "| pair | before: Tuneforge trials/s (pruned) | Optuna trials/s | ratio | after: Tuneforge trials/s (pruned) | Optuna trials/s | ratio | after / before |",
  "|---|---|---|---|---|---|---|---|",
  "| 1 | 511.9 (1568) | 51.2 | 10.00x | 569.2 (1713) | 52.5 | 10.84x | 1.11 |",
  "| 2 | 702.5 (1886) | 44.5 | 15.79x | 541.3 (1606) | 43.3 | 12.50x | 0.77 |",
  "| 3 | 551.6 (1487) | 44.5 | 12.39x | 667.3 (1570) | 47.5 | 14.05x | 1.21 |",
  "| 4 | 602.0 (1488) | 41.0 | 14.68x | 571.8 (1649) | 49.6 | 11.53x | 0.95 |",
  "| 5 | 495.5 (1481) | 49.5 | 10.01x | 546.6 (1491) | 48.3 | 11.32x | 1.10 |",
  "| 6 | 587.5 (1625) | 44.4 | 13.23x | 585.7 (1494) | 55.8 | 10.50x | 1.00 |",
  "| 7 | 702.5 (1589) | 51.6 | 13.61x | 479.5 (1637) | 45.6 | 10.52x | 0.68 |",
  "| 8 | 604.6 (1491) | 47.3 | 12.78x | 570.5 (1486) | 60.6 | 9.41x | 0.94 |",
  "",
  "Medians over the 8 pairs: before 594.8 trials/s (13.01x Optuna), after 569.8 trials/s (11.08x Optuna); the median of the pairs' after/before ratios is 0.97, and single rounds of either range from 480 to 702 trials/s.",
  "",
  "Not measurably slower: Tuneforge's medians differ by 4% (the ratios to Optuna by more, 13.0x against 11.1x, because the",
  "anchor's own rounds happened to run faster in the after pairs), against a spread of 480 to 702 trials/s between rounds of the same code (the number of pruned trials, which depends on timing, moves with it). The new index on `updated_at` costs",
  "nothing measurable either: 4 alternating pairs of the after code with and without it gave medians of 572.8 and 546.4 trials/s.",
];

/** The rung index's before and after (2026-12-02), and what the rest of a round costs PostgreSQL: kept as measured. */
const BOOKKEEPING_RUNG_INDEX = [
  '',
  "### Rung decisions from the worker's index (issue 16)",
  '',
  'Before (`7e0cc1a`), each rung decision was a batched statement in which PostgreSQL summarised the rung; after, a worker',
  "keeps each rung's values sorted in memory (`RungPeers`) and one statement per sync reads the points stored since. Single",
  'Tuneforge rounds on 2026-12-02 (`bookkeeping(env, 2000, 20, 2, progress, 1, [])` of `bench/bookkeeping.bench.ts`: a round without the',
  'anchor): before 445, 483, 529, 517, 484, 482, 533, 491 trials/s (median 487); after 639, 691, 671, 733, 752, 659 (median',
  '681; the last three are the rounds of the table as it was first written). The pruned count moved with it, 1,600-1,640 before and 1,900-1,940 after: a decision now sees its own',
  "worker's values at once and the other's after one sync, where the statement saw only flushed ones, so the median rule",
  "has its 5 peers sooner (Optuna's pruner, too, sees every report at once). Fewer epochs, fewer points: 22,620 metric rows",
  'in a round against 50,416.',
  '',
  "What a round costs PostgreSQL, from its statement log (`log_min_duration_statement = 0`, one round of each): 3.70 s of",
  'statement time before, 2.35 s after. Rung statements: 791 taking 713 ms before, 242 syncs taking 173 ms after. The rest,',
  'after: metric point upserts 585 ms (290 statements, 26 µs a row), trial ends 453 ms, claims 223 ms, enqueue marks and',
  "the coordinator's trial inserts 199 ms, commits 135 ms, checkpoints 106 ms, webhook notices at top-ups 87 ms. The 5x goal is about",
  "1,500 trials/s here, 1.3 s a round: 2.6 core-seconds on this machine for PostgreSQL, Redis, the coordinator and both workers.",
  "PostgreSQL's statements alone take 2.35: the goal needs fewer rows a trial (a trial's curve in one row, say, or points",
  'kept in Redis and written in bulk), not faster statements.',
];

const STORAGE_LABEL: Record<OptunaStorage, string> = { rdb: 'PostgreSQL', 'journal-file': 'journal file', 'journal-redis': 'journal Redis' };

/** The goal of issue 16: at least this many times Optuna's fastest storage on the same cores. */
const GOAL_OVER_FASTEST = 5;

/** BENCHMARKS.md's bookkeeping section: every round, each Optuna storage, the ratio to the fastest. */
export function bookkeepingSection(b: BookkeepingResult): string[] {
  const headline = medianRound(b);
  const ratio = roundRatio(headline);
  const fastest = fastestOptuna(headline);
  const storages = OPTUNA_STORAGES.filter((s) => b.rounds.some((r) => r.optuna[s]));
  const errors = [...new Set(b.rounds.flatMap((r) => Object.values(r.optuna).flatMap((o) => ('error' in o ? [o.error] : []))))];
  const version = b.rounds.flatMap((r) => Object.values(r.optuna).flatMap((o) => ('error' in o ? [] : [o.version]))).find(Boolean);
  const cell = (o: OptunaRound | undefined) => (!o || 'error' in o ? '-' : `${o.trialsPerSecond.toFixed(1)} (${o.seconds.toFixed(1)} s)`);
  return [
    '## Bookkeeping throughput against Optuna',
    '',
    `${b.trials} \`simulated\` trials x ${b.epochs} reported epochs, median stopping (warm-up 0, 5 trials), random search over`,
    `2 parameters, through the real API, BullMQ, ${b.workers} worker processes (${b.slotsPerWorker} slots each) and PostgreSQL; timed from`,
    `the POST to the sweep's recorded finish (\`finishedAt\`). Optuna: \`../shared/anchors/optuna_bookkeeping.py ${b.trials} ${b.epochs} ${b.workers} random\``,
    `(${version ?? 'Optuna'}${b.optunaSource ? ', a source tree on `PYTHONPATH`' : ''}) on each of its storages: RDBStorage on the same PostgreSQL server, and`,
    'JournalStorage (its fastest) on a local file and on the same Redis server. Each round gives each system a fresh',
    'database, journal file or journal keys and runs them back to back (this machine is a shared VM whose speed drifts',
    "between minutes); the headline is the round with the median ratio to Optuna's fastest storage in that round. A Tuneforge",
    'worker process runs `BENCH_SLOTS_PER_WORKER` trials at once (async tasks, not threads; default 64); its claims and',
    'trial ends go to PostgreSQL as shared batched statements, and it decides at rungs from its own sorted index of the',
    "sweep's values, which one statement per sync (every `METRICS_FLUSH_MS`, 50 here) brings up to date with the points",
    'stored since. Both log warnings only. Optuna runs one trial at a time per process.',
    '',
    'Command: `npm run bench:anchors` (`bench/strongest-anchors.ts`; `-- --optuna-src DIR` for a newer Optuna\'s source tree).',
    '',
    `| round | Tuneforge trials/s (s, pruned) | ${storages.map((s) => `Optuna ${STORAGE_LABEL[s]} trials/s (s)`).join(' | ')} | ratio to the fastest |`,
    `|---|---|${storages.map(() => '---|').join('')}---|`,
    ...b.rounds.map((r, i) => {
      const mark = r === headline ? ' (median)' : '';
      return `| ${i + 1}${mark} | ${r.tuneforge.trialsPerSecond.toFixed(1)} (${r.tuneforge.seconds.toFixed(2)} s, ${r.tuneforge.pruned}) | ${storages.map((s) => cell(r.optuna[s])).join(' | ')} | ${roundRatio(r)?.toFixed(2) ?? '-'}x |`;
    }),
    '',
    ...errors.map((e) => `Optuna: ${e}`),
    ratio !== undefined && fastest
      ? `Median round: Tuneforge ${headline.tuneforge.trialsPerSecond.toFixed(1)} trials/s, ${ratio.toFixed(2)}x Optuna's fastest storage (${STORAGE_LABEL[fastest.storage]}, ${fastest.trialsPerSecond.toFixed(1)} trials/s). The issue 16 goal is ${GOAL_OVER_FASTEST}x: ${ratio >= GOAL_OVER_FASTEST ? 'met' : 'not met'} in this run.`
      : `The issue 16 goal is ${GOAL_OVER_FASTEST}x Optuna's fastest storage.`,
    ...BOOKKEEPING_RUNG_INDEX,
    ...BOOKKEEPING_ISSUE_13,
    '',
  ];
}
