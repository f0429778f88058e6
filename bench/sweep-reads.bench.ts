// The sweep page's reads on a big sweep: a sweep of 100,000 finished trials (written with SQL, 5 val_loss points
// each) for each direction, and every read the dashboard's sweep page and the CLI make of it under autocannon load.
// Usage: node -r ./tools/register.js bench/sweep-reads.bench.ts [--trials 100000] [--seconds 3] [--keep (the database, for EXPLAIN)]
// Writes tmp/bench-sweep-reads.json; bench/run.ts renders it with sweepReadsRows.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Client } from 'pg';
import type { SweepDto } from '@tuneforge/contracts';
import { dropDatabase, migrate } from '@tuneforge/persistence';
import { adminFetch, startCoordinatorProcess, TEST_ADMIN_TOKEN } from '@tuneforge/testing';
import { ownArgs } from './own-args';
import { deleteQueueKeys } from './queue-keys';

export const SWEEP_READS_COMMAND = 'node -r ./tools/register.js bench/sweep-reads.bench.ts';

export interface ReadRow {
  label: string;
  path: string;
  /** The median of 5 requests one at a time (after one to warm up). */
  ms: number;
  /** Requests answered per second with 10 connections, and their median latency. */
  rps: number;
  p50: number;
  bytes: number;
}

export interface SweepReadsResult {
  commit: string;
  at: string;
  trials: number;
  seconds: number;
  rows: ReadRow[];
}

const ROOT = join(__dirname, '..');

function progress(message: string): void {
  process.stderr.write(`[sweep-reads] ${message}\n`);
}

function specOf(direction: 'minimize' | 'maximize') {
  return {
    name: `bench-reads-${direction}`,
    dataset: { source: 'builtin', name: 'us-births-1969-1988' },
    model: 'simulated',
    objective: { metric: 'val_loss', direction },
    searchSpace: { learningRate: { type: 'float', min: 1e-4, max: 1e-1, log: true }, hiddenUnits: { type: 'int', min: 16, max: 256 }, dropout: { type: 'float', min: 0, max: 0.5 } },
    algorithm: { type: 'random' },
    earlyStopping: { type: 'none' },
    budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 5 },
    seed: 1,
  };
}

/**
 * Makes the sweep's one trial `trials` finished ones, as a run of the stack leaves them: configs like the first's with
 * their own hyperparameters, created in batches of 128, 85% completed and 14% pruned with a value, 1% failed without one.
 */
async function fill(db: Client, sweepId: string, trials: number): Promise<void> {
  const value = `(0.2 + ((n * 7919) % 100000) / 200000.0)`;
  await db.query(
    `WITH first AS (SELECT config FROM trials WHERE sweep_id = $1 AND number = 0)
     INSERT INTO trials (sweep_id, number, seed, config, status, attempts, best_metric, last_epoch, started_at, finished_at, created_at, updated_at, status_reason, events)
     SELECT $1, n, n, jsonb_set(first.config, '{hyperparameters}', jsonb_build_object('learningRate', 0.0001 * (1 + n % 997), 'hiddenUnits', 16 + n % 241, 'dropout', (n % 50) / 100.0)),
            CASE WHEN n % 100 = 99 THEN 'failed' WHEN n % 7 = 3 THEN 'pruned' ELSE 'completed' END::trial_status, 1,
            CASE WHEN n % 100 = 99 THEN NULL ELSE ${value} END, 5,
            now() - make_interval(secs => ($2 - n) / 100.0), now() - make_interval(secs => ($2 - n) / 100.0 - 0.01),
            now() - make_interval(secs => ($2 - n - n % 128) / 100.0), now(), 'bench',
            '[{"at":"2026-12-01T00:00:00.000Z","type":"started","message":"attempt 1 on worker bench-0 (simulated)"}]'::jsonb
     FROM first, generate_series(1, $2 - 1) n`,
    [sweepId, trials],
  );
  await db.query(`UPDATE trials SET status = 'completed', best_metric = 0.25, last_epoch = 5, finished_at = now() WHERE sweep_id = $1 AND number = 0`, [sweepId]);
  await db.query(
    `INSERT INTO metric_points (trial_id, sweep_id, epoch, name, value)
     SELECT t.id, t.sweep_id, e, 'val_loss', t.best_metric * (1 + (5 - e) / 10.0) FROM trials t CROSS JOIN generate_series(1, 5) e WHERE t.sweep_id = $1 AND t.best_metric IS NOT NULL`,
    [sweepId],
  );
  await db.query(`UPDATE sweeps SET trials_created = $2, planned_trials = $2, status = 'completed', finished_at = now() WHERE id = $1`, [sweepId, trials]);
}

async function oneAtATime(url: string): Promise<{ ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i <= 5; i++) {
    const started = performance.now();
    const response = await adminFetch(url);
    bytes = (await response.arrayBuffer()).byteLength;
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    if (i > 0) times.push(performance.now() - started);
  }
  return { ms: times.sort((a, b) => a - b)[2], bytes };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ args: ownArgs(module), options: { trials: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '3' }, keep: { type: 'boolean', default: false } } });
  const trials = Number(values.trials);
  const seconds = Number(values.seconds);
  const serverUrl = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
  const env = { DATABASE_URL: `${serverUrl}/tuneforge_bench_sweep_reads`, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', QUEUE_PREFIX: `tf-bench-reads-${process.pid}` };
  await dropDatabase(env.DATABASE_URL);
  await migrate(env.DATABASE_URL);
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  const { process: coordinator, api } = await startCoordinatorProcess({ ...env, LOG_LEVEL: 'warn', DISPATCH_INTERVAL_MS: '600000' });
  const rows: ReadRow[] = [];
  try {
    // Both sweeps first: once the reads below have loaded the coordinator, a create may find Redis slow to answer.
    const sweepIds = new Map<'minimize' | 'maximize', string>();
    for (const direction of ['minimize', 'maximize'] as const) {
      const response = await adminFetch(`${api}/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(specOf(direction)) });
      if (response.status !== 201) throw new Error(`the ${direction} sweep was refused: ${response.status} ${await response.text()}`);
      const { id } = (await response.json()) as SweepDto;
      progress(`${direction}: writing ${trials} trials`);
      await fill(db, id, trials);
      sweepIds.set(direction, id);
    }
    await db.query('VACUUM ANALYZE trials');
    await db.query('VACUUM ANALYZE metric_points');
    for (const [direction, id] of sweepIds) {
      const deep = Math.floor(trials * 0.9);
      const cursorAt = async (query: string): Promise<string | undefined> => {
        const page = (await (await adminFetch(`${api}/sweeps/${id}/trials?${query}&limit=1&offset=${deep - 1}`)).json()) as { nextCursor?: string | null };
        return page.nextCursor ?? undefined;
      };
      const reads: [string, string | undefined][] =
        direction === 'minimize'
          ? [
              ['sweep (counts, best)', `/sweeps/${id}`],
              ['sweeps list', '/sweeps?limit=20'],
              ['trials, first page (objective)', `/sweeps/${id}/trials?limit=50`],
              [`trials at ${deep.toLocaleString('en-US')}, offset (objective)`, `/sweeps/${id}/trials?limit=50&offset=${deep}`],
              [`trials at ${deep.toLocaleString('en-US')}, after= (objective)`, await cursorAt('sort=objective').then((c) => c && `/sweeps/${id}/trials?limit=50&after=${c}`)],
              [`trials at ${deep.toLocaleString('en-US')}, offset (number)`, `/sweeps/${id}/trials?limit=50&offset=${deep}&sort=number`],
              [`trials at ${deep.toLocaleString('en-US')}, after= (number)`, await cursorAt('sort=number').then((c) => c && `/sweeps/${id}/trials?limit=50&sort=number&after=${c}`)],
              ['trials, first page (createdAt desc)', `/sweeps/${id}/trials?limit=50&sort=createdAt&order=desc`],
              ['curves, top 10', `/sweeps/${id}/curves?top=10&points=200`],
              ['trial-points', `/sweeps/${id}/trial-points`],
            ]
          : [
              ['sweep (counts, best)', `/sweeps/${id}`],
              ['trials, first page (objective)', `/sweeps/${id}/trials?limit=50`],
              [`trials at ${deep.toLocaleString('en-US')}, after= (objective)`, await cursorAt('sort=objective').then((c) => c && `/sweeps/${id}/trials?limit=50&after=${c}`)],
              ['curves, top 10', `/sweeps/${id}/curves?top=10&points=200`],
            ];
      for (const [label, path] of reads) {
        if (!path) {
          progress(`${direction}: ${label}: not answered by this version`);
          continue;
        }
        const alone = await oneAtATime(`${api}${path}`);
        const result = await autocannon({ url: `${api}${path}`, connections: 10, duration: seconds, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        const row = { label: `${direction}: ${label}`, path, ms: alone.ms, rps: result.requests.total / seconds, p50: result.requests.total > 0 ? result.latency.p50 : NaN, bytes: alone.bytes };
        progress(`${row.label}: ${row.ms.toFixed(1)} ms alone, ${row.rps.toFixed(1)} req/s (p50 ${row.p50} ms) with 10 connections, ${row.bytes} bytes`);
        rows.push(row);
      }
    }
  } finally {
    await db.end();
    await coordinator.stop('SIGTERM');
  }
  if (!values.keep) await dropDatabase(env.DATABASE_URL);
  await deleteQueueKeys(env.REDIS_URL, env.QUEUE_PREFIX);
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  const result: SweepReadsResult = { commit, at: new Date().toISOString(), trials, seconds, rows };
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  writeFileSync(join(ROOT, 'tmp', 'bench-sweep-reads.json'), `${JSON.stringify(result, null, 1)}\n`);
  process.stdout.write([...SWEEP_READS_HEADER, ...sweepReadsRows(result.commit, rows)].join('\n') + '\n');
}

export const SWEEP_READS_HEADER = ['| code | read | one at a time (median of 5) | 10 connections: requests/s | their p50 | bytes |', '|---|---|---|---|---|---|'];

export function sweepReadsRows(code: string, rows: readonly ReadRow[]): string[] {
  return rows.map((r) => `| ${code} | ${r.label} | ${r.ms.toFixed(1)} ms | ${r.rps.toFixed(1)} | ${latency(r)} | ${r.bytes.toLocaleString('en-US')} |`);
}

/** Each read before and after side by side (a read the code before did not answer shows a dash). */
export function pairedReadsTable(before: readonly ReadRow[], after: readonly ReadRow[]): string[] {
  const cell = (r: ReadRow | undefined) => (r ? `${r.ms.toFixed(1)} ms; ${r.rps.toFixed(1)}/s (${latency(r)})` : '-');
  const bytes = (r: ReadRow | undefined) => (r ? r.bytes.toLocaleString('en-US') : '-');
  return [
    '| read | before: one at a time; 10 connections, requests/s (p50) | after: one at a time; 10 connections, requests/s (p50) | bytes before / after |',
    '|---|---|---|---|',
    ...after.map((a) => {
      const b = before.find((r) => r.label === a.label);
      return `| ${a.label} | ${cell(b)} | ${cell(a)} | ${bytes(b)} / ${bytes(a)} |`;
    }),
  ];
}

function latency(r: ReadRow): string {
  return Number.isNaN(r.p50) || r.p50 === null ? 'none answered' : `${r.p50} ms`;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`sweep-reads bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  });
}
