// The dashboard's change feed (apps/coordinator/src/events/change-feed.service.ts) over 10 active sweeps x 1,000
// trials while a writer trains a fraction of them: the feed's statements per second, the rows PostgreSQL read for it
// per second, and how long a poll takes. Rows read: pg_stat_user_tables (seq_tup_read + idx_tup_fetch over sweeps,
// trials, metric_points, workers) across the run, less what the writer alone read per update in a calibration run of
// the same length just before (pg_stat_statements is not preloaded on these servers).
// Usage: node -r ./tools/register.js bench/live-feed.ts [--seconds 30] [--trials-per-second 100] [--rounds 2]
// Writes tmp/bench-live-feed.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Pool, PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import type { DashboardEvent } from '@tuneforge/contracts';
import { databaseOptions, upsertMetricPoints } from '@tuneforge/persistence';
import { createTestDatabase } from '@tuneforge/testing';
import { ChangeFeed } from '../apps/coordinator/src/events/change-feed.service';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    'trials-per-second': { type: 'string', default: '100' },
    rounds: { type: 'string', default: '2' },
  },
});
const SECONDS = Number(values.seconds);
const TRIALS_PER_SECOND = Number(values['trials-per-second']);
const ROUNDS = Number(values.rounds);
const SWEEPS = 10;
const TRIALS_PER_SWEEP = 1_000;
/** The coordinator's default EVENTS_POLL_MS. */
const POLL_MS = 1_000;
/** A trial trains this many epochs, one per write, then completes and a queued trial of its sweep starts. */
const EPOCHS_PER_TRIAL = 20;
const WRITER_TICK_MS = 100;
/** Long enough for idle backends to flush their table statistics (PostgreSQL flushes at most once a second). */
const STATS_SETTLE_MS = 2_500;
const FEED_TABLES = ['sweeps', 'trials', 'metric_points', 'workers'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function progress(message: string): void {
  process.stderr.write(`[live-feed] ${message}\n`);
}

async function seed(db: DataSource): Promise<void> {
  const sweeps: { id: string }[] = await db.query(
    `INSERT INTO sweeps (name, spec, seed, planned_trials, trials_created)
     SELECT 'live-feed-' || i, '{}', i, $1, $1 FROM generate_series(1, $2) i RETURNING id`,
    [TRIALS_PER_SWEEP, SWEEPS],
  );
  const running = Math.ceil(TRIALS_PER_SECOND / SWEEPS);
  // Each sweep: a third finished, its first `running` queued trials running, the rest queued; every trial that
  // started carries the events a worker records (started, checkpoint), so the rows are as wide as real ones.
  await db.query(
    `INSERT INTO trials (sweep_id, number, seed, config, status, attempts, last_epoch, best_metric, started_at, finished_at, events)
     SELECT s.id, n, n, '{"model":"lstm","hyperparameters":{"hiddenUnits":64,"layers":1,"learningRate":0.001,"batchSize":64}}',
            CASE WHEN n < $2 THEN 'completed' WHEN n < $2::int + $3::int THEN 'running' ELSE 'queued' END::trial_status, (n < $2::int + $3::int)::int,
            CASE WHEN n < $2 THEN $4::int END, CASE WHEN n < $2 THEN 1.0 / (n + 1) END,
            CASE WHEN n < $2::int + $3::int THEN now() END, CASE WHEN n < $2 THEN now() END,
            CASE WHEN n < $2::int + $3::int THEN jsonb_build_array(jsonb_build_object('at', now(), 'type', 'started', 'message', 'attempt 1 on bench-worker'))
                 ELSE '[]'::jsonb END
     FROM unnest($1::uuid[]) s(id) CROSS JOIN generate_series(0, $5::int - 1) n`,
    [sweeps.map((s) => s.id), Math.floor(TRIALS_PER_SWEEP / 3), running, EPOCHS_PER_TRIAL, TRIALS_PER_SWEEP],
  );
  await db.query(
    `INSERT INTO workers (id, host, pid, backend, concurrency, running_trial_ids, started_at, last_heartbeat_at)
     SELECT 'bench-worker-' || i, 'bench', i, 'native-cpu', 64, '[]', now(), now() FROM generate_series(1, 2) i`,
  );
  await db.query(`ANALYZE`);
}

/**
 * Trains TRIALS_PER_SECOND of the running trials a second, the way workers do: a metric point and the trial's
 * epoch and best value per epoch; a trial that reaches EPOCHS_PER_TRIAL completes and the next queued one of its
 * sweep starts; the two workers heartbeat every second.
 */
class Writer {
  updates = 0;
  private paused = true;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private running: { id: string; sweepId: string; epoch: number }[] = [];
  private next = 0;
  /** Per sweep, the number of its next queued trial (they start in number order). */
  private readonly nextQueued = new Map<string, number>();
  private lastHeartbeat = 0;

  constructor(private readonly db: DataSource) {}

  async start(): Promise<void> {
    const rows: { id: string; sweep_id: string; number: number }[] = await this.db.query(`SELECT id, sweep_id, number FROM trials WHERE status = 'running' ORDER BY sweep_id, number`);
    // Staggered, so that trials complete at an even rate rather than all at once.
    this.running = rows.map((r, i) => ({ id: r.id, sweepId: r.sweep_id, epoch: i % EPOCHS_PER_TRIAL }));
    for (const r of rows) this.nextQueued.set(r.sweep_id, Math.max(this.nextQueued.get(r.sweep_id) ?? 0, r.number + 1));
    this.loop = this.run();
  }

  resume(): void {
    this.paused = false;
  }

  pause(): void {
    this.paused = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    const perTick = Math.max(1, Math.round((TRIALS_PER_SECOND * WRITER_TICK_MS) / 1000));
    while (!this.stopped) {
      const started = performance.now();
      if (!this.paused) await this.tick(perTick);
      await sleep(Math.max(0, WRITER_TICK_MS - (performance.now() - started)));
    }
  }

  private async tick(count: number): Promise<void> {
    const batch = Array.from({ length: count }, () => this.running[this.next++ % this.running.length]);
    for (const trial of batch) trial.epoch += 1;
    await upsertMetricPoints(
      this.db.manager,
      batch.map((t) => ({ sweepId: t.sweepId, trialId: t.id, epoch: t.epoch, name: 'val_loss', value: 1 / t.epoch, attempt: 1 })),
    );
    await this.db.query(
      `UPDATE trials t SET last_epoch = u.epoch, best_metric = 1.0 / u.epoch, updated_at = now()
       FROM unnest($1::uuid[], $2::int[]) u(id, epoch) WHERE t.id = u.id`,
      [batch.map((t) => t.id), batch.map((t) => t.epoch)],
    );
    for (const done of batch.filter((t) => t.epoch >= EPOCHS_PER_TRIAL)) {
      await this.db.transaction(async (manager) => {
        await manager.query(`UPDATE trials SET status = 'completed', finished_at = now(), updated_at = now() WHERE id = $1`, [done.id]);
        const number = this.nextQueued.get(done.sweepId) ?? 0;
        this.nextQueued.set(done.sweepId, number + 1);
        const [started]: { id: string }[] = await manager.query(
          `WITH started AS (
             UPDATE trials SET status = 'running', attempts = 1, started_at = now(), updated_at = now(),
                    events = events || jsonb_build_array(jsonb_build_object('at', now(), 'type', 'started', 'message', 'attempt 1 on bench-worker'))
             WHERE sweep_id = $1 AND number = $2 AND status = 'queued' RETURNING id
           ) SELECT id FROM started`,
          [done.sweepId, number],
        );
        if (started) Object.assign(done, { id: started.id, epoch: 0 });
      });
    }
    if (performance.now() - this.lastHeartbeat >= 1000) {
      this.lastHeartbeat = performance.now();
      await this.db.query(`UPDATE workers SET last_heartbeat_at = now()`);
    }
    this.updates += batch.length;
  }
}

/** Counts the statements a pool's clients send. */
function countStatements(pool: Pool): { count: number } {
  const counter = { count: 0 };
  const counted = new WeakSet<PoolClient>();
  pool.on('acquire', (client: PoolClient) => {
    if (counted.has(client)) return;
    counted.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counter.count++;
      return query(...args);
    };
  });
  return counter;
}

async function rowsRead(db: DataSource): Promise<number> {
  await db.query(`SELECT pg_stat_clear_snapshot()`);
  const [row]: { n: string }[] = await db.query(
    `SELECT COALESCE(sum(seq_tup_read + COALESCE(idx_tup_fetch, 0)), 0)::text AS n FROM pg_stat_user_tables WHERE relname = ANY($1)`,
    [FEED_TABLES],
  );
  return Number(row.n);
}

/** Rows the tables' statistics show read while `during` runs, with every backend idle before and after. */
async function readDuring(stats: DataSource, during: () => Promise<void>): Promise<number> {
  await sleep(STATS_SETTLE_MS);
  const before = await rowsRead(stats);
  await during();
  await sleep(STATS_SETTLE_MS);
  return (await rowsRead(stats)) - before;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export interface LiveFeedRound {
  seconds: number;
  trialUpdatesPerSecond: number;
  polls: number;
  statementsPerSecond: number;
  rowsReadPerSecond: number;
  /** What the writer read per trial update in the calibration run (subtracted). */
  writerRowsPerUpdate: number;
  pollMs: { p50: number; p95: number; max: number };
  eventsPerSecond: Record<string, number>;
  /** The first poll (the baseline), not counted above. */
  baselineMs: number;
}

async function round(): Promise<LiveFeedRound> {
  const database = await createTestDatabase('bench_live_feed');
  const writerDb = await new DataSource(databaseOptions(database.url, 'bench-live-feed-writer')).initialize();
  const feedDb = await new DataSource(databaseOptions(database.url, 'bench-live-feed')).initialize();
  const statsDb = await new DataSource({ ...databaseOptions(database.url, 'bench-live-feed-stats'), extra: { max: 1 } }).initialize();
  const writer = new Writer(writerDb);
  try {
    await seed(writerDb);
    await writer.start();
    const calibrationUpdates = { before: writer.updates };
    const writerRows = await readDuring(statsDb, async () => {
      writer.resume();
      await sleep(SECONDS * 1000);
      writer.pause();
    });
    const writerRowsPerUpdate = writerRows / (writer.updates - calibrationUpdates.before);

    const feed = new ChangeFeed(feedDb);
    const statements = countStatements((feedDb.driver as unknown as { master: Pool }).master);
    const baselineStarted = performance.now();
    await feed.poll();
    const baselineMs = performance.now() - baselineStarted;
    const latencies: number[] = [];
    const events: Record<string, number> = {};
    let statementsBefore = 0;
    const updatesBefore = writer.updates;
    let elapsedS = 0;
    const rows = await readDuring(statsDb, async () => {
      statementsBefore = statements.count;
      writer.resume();
      const started = performance.now();
      while (performance.now() - started < SECONDS * 1000) {
        const pollStarted = performance.now();
        const emitted: DashboardEvent[] = await feed.poll();
        latencies.push(performance.now() - pollStarted);
        for (const event of emitted) events[event.type] = (events[event.type] ?? 0) + 1;
        // The EventStream's loop: poll, then wait eventsPollMs.
        await sleep(POLL_MS);
      }
      elapsedS = (performance.now() - started) / 1000;
      writer.pause();
    });
    const updates = writer.updates - updatesBefore;
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      seconds: elapsedS,
      trialUpdatesPerSecond: updates / elapsedS,
      polls: latencies.length,
      statementsPerSecond: (statements.count - statementsBefore) / elapsedS,
      rowsReadPerSecond: (rows - writerRowsPerUpdate * updates) / elapsedS,
      writerRowsPerUpdate,
      pollMs: { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted[sorted.length - 1] },
      eventsPerSecond: Object.fromEntries(Object.entries(events).map(([type, n]) => [type, n / elapsedS])),
      baselineMs,
    };
  } finally {
    await writer.stop();
    await Promise.all([writerDb.destroy(), feedDb.destroy(), statsDb.destroy()]);
    await database.drop();
  }
}

export interface LiveFeedResult {
  commit: string;
  sweeps: number;
  trialsPerSweep: number;
  rounds: LiveFeedRound[];
}

const fixed = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** One markdown row per round of a run (tmp/bench-live-feed.json), as printed and as bench/run.ts writes it into BENCHMARKS.md. */
export function liveFeedRows(result: LiveFeedResult, label = result.commit): string[] {
  return result.rounds.map(
    (r, i) =>
      `| ${label} | ${i + 1} | ${fixed(r.trialUpdatesPerSecond)} | ${fixed(r.statementsPerSecond, 1)} | ${fixed(r.rowsReadPerSecond)} | ${fixed(r.pollMs.p50, 1)} / ${fixed(r.pollMs.p95, 1)} / ${fixed(r.pollMs.max, 1)} | ${fixed(r.baselineMs)} | ${Object.entries(r.eventsPerSecond).map(([type, n]) => `${type} ${fixed(n, 1)}`).join(', ')} |`,
  );
}

export const LIVE_FEED_HEADER = [
  '| code | round | trial updates/s | feed statements/s | rows read/s | poll ms p50 / p95 / max | baseline poll ms | events/s |',
  '|---|---|---|---|---|---|---|---|',
];

async function main(): Promise<void> {
  const rounds: LiveFeedRound[] = [];
  for (let i = 1; i <= ROUNDS; i++) {
    progress(`round ${i}/${ROUNDS}: ${SWEEPS} sweeps x ${TRIALS_PER_SWEEP} trials, ${TRIALS_PER_SECOND} trial updates/s, ${SECONDS} s calibration + ${SECONDS} s feed`);
    const result = await round();
    progress(`  writer read ${result.writerRowsPerUpdate.toFixed(2)} rows per trial update; feed ${result.rowsReadPerSecond.toFixed(0)} rows/s, ${result.statementsPerSecond.toFixed(1)} statements/s`);
    rounds.push(result);
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const result: LiveFeedResult = { commit, sweeps: SWEEPS, trialsPerSweep: TRIALS_PER_SWEEP, rounds };
  console.log([...LIVE_FEED_HEADER, ...liveFeedRows(result)].join('\n'));
  const out = join(__dirname, '..', 'tmp', 'bench-live-feed.json');
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
