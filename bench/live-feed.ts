// The dashboard's change feed (apps/coordinator/src/events/change-feed.service.ts) over 10 active sweeps x 1,000
// trials while a writer trains a fraction of them: the feed's statements per second, the rows PostgreSQL read for it
// per second, and how long a poll takes. Each poll runs in a transaction of its own on one connection, so
// pg_stat_xact_user_tables (seq_tup_read + idx_tup_fetch over sweeps, trials, metric_points, workers) counts exactly
// the rows its statements read (pg_stat_statements is not preloaded on these servers).
// Usage: node -r ./tools/register.js bench/live-feed.ts [--seconds 30] [--trials-per-second 100] [--rounds 2]
// Writes tmp/bench-live-feed.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { PoolClient } from 'pg';
import { DataSource, type QueryRunner } from 'typeorm';
import type { DashboardEvent } from '@tuneforge/contracts';
import { databaseOptions, Stores, upsertMetricPoints } from '@tuneforge/persistence';
import { createTestDatabase } from '@tuneforge/testing';
import { ChangeFeed } from '../apps/coordinator/src/events/change-feed.service';
import { ownArgs } from './own-args';

const { values } = parseArgs({
  args: ownArgs(module),
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
  // started carries the event a worker records, so the rows are as wide as real ones. Written an hour ago: the
  // feed starts on a deployment that has been running, not on rows all changed this second.
  await db.query(
    `INSERT INTO trials (sweep_id, number, seed, config, status, attempts, last_epoch, best_metric, started_at, finished_at, events, created_at, updated_at)
     SELECT s.id, n, n, '{"model":"lstm","hyperparameters":{"hiddenUnits":64,"layers":1,"learningRate":0.001,"batchSize":64}}',
            CASE WHEN n < $2 THEN 'completed' WHEN n < $2::int + $3::int THEN 'running' ELSE 'queued' END::trial_status, (n < $2::int + $3::int)::int,
            CASE WHEN n < $2 THEN $4::int END, CASE WHEN n < $2 THEN 1.0 / (n + 1) END,
            CASE WHEN n < $2::int + $3::int THEN now() END, CASE WHEN n < $2 THEN now() END,
            CASE WHEN n < $2::int + $3::int THEN jsonb_build_array(jsonb_build_object('at', now(), 'type', 'started', 'message', 'attempt 1 on bench-worker'))
                 ELSE '[]'::jsonb END,
            now() - interval '1 hour', now() - interval '1 hour'
     FROM unnest($1::uuid[]) s(id) CROSS JOIN generate_series(0, $5::int - 1) n`,
    [sweeps.map((s) => s.id), Math.floor(TRIALS_PER_SWEEP / 3), running, EPOCHS_PER_TRIAL, TRIALS_PER_SWEEP],
  );
  // The finished trials' curves, so metric_points is as big as a sweep's, not empty.
  await db.query(
    `INSERT INTO metric_points (sweep_id, trial_id, epoch, name, value, recorded_at)
     SELECT t.sweep_id, t.id, e, 'val_loss', 1.0 / e, now() - interval '1 hour' FROM trials t CROSS JOIN generate_series(1, $1::int) e
     WHERE t.status = 'completed'`,
    [EPOCHS_PER_TRIAL],
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

/**
 * The feed, running each poll in a transaction of its own on one connection: what that transaction's statements read
 * (pg_stat_xact_user_tables) and how many there were. The feed sees a DataSource whose queries go to that connection.
 */
class MeasuredFeed {
  statements = 0;
  private counting = false;
  private constructor(
    private readonly runner: QueryRunner,
    readonly feed: ChangeFeed,
  ) {}

  static async open(dataSource: DataSource): Promise<MeasuredFeed> {
    const runner = dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    const measured = new MeasuredFeed(runner, new ChangeFeed(new Stores(runner.manager)));
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (measured.counting) measured.statements++;
      return query(...args);
    };
    return measured;
  }

  /** One poll: its events, the rows its statements read, and how long it took. */
  async poll(): Promise<{ events: DashboardEvent[]; rows: number; ms: number }> {
    await this.runner.startTransaction();
    try {
      this.counting = true;
      const started = performance.now();
      const events = await this.feed.poll();
      const ms = performance.now() - started;
      this.counting = false;
      const [row]: { n: string }[] = await this.runner.query(
        `SELECT COALESCE(sum(seq_tup_read + COALESCE(idx_tup_fetch, 0)), 0)::text AS n FROM pg_stat_xact_user_tables WHERE relname = ANY($1)`,
        [FEED_TABLES],
      );
      return { events, rows: Number(row.n), ms };
    } finally {
      this.counting = false;
      await this.runner.commitTransaction();
    }
  }

  release(): Promise<void> {
    return this.runner.release();
  }
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export interface LiveFeedRound {
  seconds: number;
  trialUpdatesPerSecond: number;
  polls: number;
  statementsPerSecond: number;
  rowsReadPerSecond: number;
  pollMs: { p50: number; p95: number; max: number };
  eventsPerSecond: Record<string, number>;
  /** The first poll (the baseline), not counted above. */
  baseline: { ms: number; rows: number };
}

async function round(): Promise<LiveFeedRound> {
  const database = await createTestDatabase('bench_live_feed');
  const writerDb = await new DataSource(databaseOptions(database.url, 'bench-live-feed-writer')).initialize();
  const feedDb = await new DataSource(databaseOptions(database.url, 'bench-live-feed')).initialize();
  const writer = new Writer(writerDb);
  const measured = await MeasuredFeed.open(feedDb);
  try {
    await seed(writerDb);
    await writer.start();
    const baseline = await measured.poll();
    writer.resume();
    const updatesBefore = writer.updates;
    const statementsBefore = measured.statements;
    const latencies: number[] = [];
    const events: Record<string, number> = {};
    let rows = 0;
    const started = performance.now();
    while (performance.now() - started < SECONDS * 1000) {
      // The EventStream's loop: wait eventsPollMs, poll.
      await sleep(POLL_MS);
      const poll = await measured.poll();
      latencies.push(poll.ms);
      rows += poll.rows;
      for (const event of poll.events) events[event.type] = (events[event.type] ?? 0) + 1;
    }
    const elapsedS = (performance.now() - started) / 1000;
    writer.pause();
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      seconds: elapsedS,
      trialUpdatesPerSecond: (writer.updates - updatesBefore) / elapsedS,
      polls: latencies.length,
      statementsPerSecond: (measured.statements - statementsBefore) / elapsedS,
      rowsReadPerSecond: rows / elapsedS,
      pollMs: { p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), max: sorted[sorted.length - 1] },
      eventsPerSecond: Object.fromEntries(Object.entries(events).map(([type, n]) => [type, n / elapsedS])),
      baseline: { ms: baseline.ms, rows: baseline.rows },
    };
  } finally {
    await writer.stop();
    await measured.release();
    await Promise.all([writerDb.destroy(), feedDb.destroy()]);
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
      `| ${label} | ${i + 1} | ${fixed(r.trialUpdatesPerSecond)} | ${fixed(r.statementsPerSecond, 1)} | ${fixed(r.rowsReadPerSecond)} | ${fixed(r.pollMs.p50, 1)} / ${fixed(r.pollMs.p95, 1)} / ${fixed(r.pollMs.max, 1)} | ${fixed(r.baseline.ms)} ms, ${fixed(r.baseline.rows)} rows | ${Object.entries(r.eventsPerSecond).map(([type, n]) => `${type} ${fixed(n, 1)}`).join(', ')} |`,
  );
}

export const LIVE_FEED_HEADER = [
  '| code | round | trial updates/s | feed statements/s | rows read/s | poll ms p50 / p95 / max | baseline poll | events/s |',
  '|---|---|---|---|---|---|---|---|',
];

async function main(): Promise<void> {
  const rounds: LiveFeedRound[] = [];
  for (let i = 1; i <= ROUNDS; i++) {
    progress(`round ${i}/${ROUNDS}: ${SWEEPS} sweeps x ${TRIALS_PER_SWEEP} trials, ${TRIALS_PER_SECOND} trial updates/s, ${SECONDS} s`);
    const result = await round();
    progress(`  feed: ${result.rowsReadPerSecond.toFixed(0)} rows read/s, ${result.statementsPerSecond.toFixed(1)} statements/s, poll p50 ${result.pollMs.p50.toFixed(1)} ms`);
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
