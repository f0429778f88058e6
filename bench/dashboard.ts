/**
 * The dashboard's benchmark: how long the sweep page of a big sweep (2,000 trials x 50 epochs,
 * rows inserted with SQL) takes to become interactive in headless chromium, and the size and time
 * of the curve endpoint's answers, downsampled and not, for that sweep and for long runs
 * (10 trials x 5,000 epochs). Prints a table and writes tmp/bench-dashboard.json; BENCHMARKS.md is untouched.
 * Usage: npm run bench:dashboard [-- --trials 2000 --epochs 50 --loads 5 --requests 20]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { TRIALS_QUEUE, type SweepDto, type SweepSpecInput } from '@tuneforge/contracts';
import { dropDatabase, migrate } from '@tuneforge/persistence';
import { launchChromium } from '../test/support/browser';
import { adminFetch, startCoordinatorProcess, TEST_ADMIN_TOKEN, type AppProcess } from '@tuneforge/testing';

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '50' },
    loads: { type: 'string', default: '5' },
    requests: { type: 'string', default: '20' },
  },
});
const TRIALS = Number(args.trials);
const EPOCHS = Number(args.epochs);
const LOADS = Number(args.loads);
const REQUESTS = Number(args.requests);
const LONG_TRIALS = 10;
const LONG_EPOCHS = 5_000;
const SERVER_URL = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = `${SERVER_URL}/tuneforge_bench_dashboard`;
const QUEUE_PREFIX = 'tf-bench-dashboard';

function spec(name: string, trials: number, epochs: number): SweepSpecInput {
  return {
    name,
    dataset: { source: 'builtin', name: 'us-births-1969-1988', window: 14, horizon: 1 },
    model: 'simulated',
    objective: { metric: 'val_loss', direction: 'minimize' },
    searchSpace: {
      hiddenUnits: { type: 'int', min: 8, max: 128, log: true },
      dropout: { type: 'float', min: 0, max: 0.5 },
      learningRate: { type: 'float', min: 0.0001, max: 0.05, log: true },
      batchSize: { type: 'choice', values: [32, 64, 128] },
    },
    algorithm: { type: 'random' },
    earlyStopping: { type: 'none' },
    budget: { maxTrials: trials, maxConcurrent: trials, maxEpochsPerTrial: epochs },
    seed: 1,
  };
}

/** Finishes every trial of the sweep with a learning curve per metric, written straight to PostgreSQL. */
async function fillSweep(db: Client, sweepId: string, epochs: number, metrics: string[]): Promise<void> {
  // A per-trial floor and a decaying curve with a little deterministic noise, like the simulated family.
  const value = `(0.2 + ((t.number * 7919) % 1000) / 2000.0) * (1 + 2 * exp(-e / 3.0)) * (1 + 0.01 * sin(e * 12.9898 + t.number))`;
  await db.query(
    `INSERT INTO metric_points (trial_id, sweep_id, epoch, name, value)
     SELECT t.id, t.sweep_id, e, m.name, ${value} * CASE m.name WHEN 'val_mae' THEN 1000 WHEN 'loss' THEN 0.9 ELSE 1 END
     FROM trials t CROSS JOIN generate_series(1, $2::int) e CROSS JOIN unnest($3::text[]) AS m(name)
     WHERE t.sweep_id = $1`,
    [sweepId, epochs, metrics],
  );
  await db.query(
    `UPDATE trials t SET status = 'completed', last_epoch = $2, started_at = now(), finished_at = now(), status_reason = 'bench',
            best_metric = (SELECT min(value) FROM metric_points mp WHERE mp.trial_id = t.id AND mp.name = 'val_loss')
     WHERE sweep_id = $1`,
    [sweepId, epochs],
  );
}

/** Evaluated in the page (a string: this file is type-checked without the DOM's types). */
const SWEEP_PAGE_READY = `document.body.dataset.sweepReady === 'true' &&
  ['curves-chart', 'parallel-chart', 'scatter-chart'].every((id) => Number(document.querySelector('[data-testid="' + id + '"]')?.getAttribute('data-points') ?? 0) > 0)`;

const RESOURCE_TIMINGS = `performance.getEntriesByType('resource').map((e) => [e.name, e.responseEnd])`;

const CHART_TIMINGS = `performance.getEntriesByType('measure').filter((e) => e.name.startsWith('chart ')).map((e) => [e.name.slice(6), e.duration])`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function timeRequest(url: string): Promise<{ ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const response = await adminFetch(url);
    const body = await response.arrayBuffer();
    times.push(performance.now() - started);
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    bytes = body.byteLength;
  }
  return { ms: median(times), bytes };
}

async function main(): Promise<void> {
  await dropDatabase(DATABASE_URL);
  await migrate(DATABASE_URL);
  const db = new Client({ connectionString: DATABASE_URL });
  await db.connect();
  let coordinator: AppProcess | undefined;
  const queue = new Queue(TRIALS_QUEUE, { connection: { url: REDIS_URL }, prefix: QUEUE_PREFIX });
  try {
    const started = await startCoordinatorProcess({ DATABASE_URL, REDIS_URL, QUEUE_PREFIX, DISPATCH_INTERVAL_MS: '60000', MAX_CONCURRENT_PER_SWEEP: String(TRIALS) });
    coordinator = started.process;
    const api = started.api;
    const origin = new URL(api).origin;
    const submit = async (body: SweepSpecInput) => {
      const response = await adminFetch(`${api}/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (response.status !== 201) throw new Error(`submitting ${body.name}: ${response.status} ${await response.text()}`);
      return (await response.json()) as SweepDto;
    };

    const t = performance.now();
    const big = await submit(spec('bench-dashboard-big', TRIALS, EPOCHS));
    await fillSweep(db, big.id, EPOCHS, ['loss', 'val_loss', 'val_mae']);
    const long = await submit(spec('bench-dashboard-long', LONG_TRIALS, LONG_EPOCHS));
    await fillSweep(db, long.id, LONG_EPOCHS, ['val_loss']);
    await db.query('ANALYZE');
    const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM metric_points`)).rows;
    console.log(`[bench] ${TRIALS} trials x ${EPOCHS} epochs and ${LONG_TRIALS} x ${LONG_EPOCHS}: ${n} metric points written in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const endpoints: Record<string, { ms: number; bytes: number }> = {};
    const measure = async (label: string, path: string) => {
      endpoints[label] = await timeRequest(`${api}${path}`);
      console.log(`[bench] ${label}: ${endpoints[label].ms.toFixed(1)} ms, ${endpoints[label].bytes} bytes`);
    };
    await measure(`curves ${TRIALS}x${EPOCHS}, top 10, points 200`, `/sweeps/${big.id}/curves?top=10&points=200`);
    await measure(`curves ${TRIALS}x${EPOCHS}, top 50, points 50`, `/sweeps/${big.id}/curves?top=50&points=50`);
    await measure(`curves ${LONG_TRIALS}x${LONG_EPOCHS}, top 10, points 200`, `/sweeps/${long.id}/curves?top=10&points=200`);
    await measure(`curves ${LONG_TRIALS}x${LONG_EPOCHS}, top 10, not downsampled`, `/sweeps/${long.id}/curves?top=10&points=10000`);
    const longTrial = ((await (await adminFetch(`${api}/sweeps/${long.id}/trials?limit=1`)).json()) as { items: { id: string }[] }).items[0];
    await measure(`trial metrics 1x${LONG_EPOCHS}, points 500`, `/trials/${longTrial.id}/metrics?points=500`);
    await measure(`trial-points ${TRIALS} trials`, `/sweeps/${big.id}/trial-points`);
    await measure(`leaderboard page (25 trials)`, `/sweeps/${big.id}/trials?limit=25`);

    const browser = await launchChromium();
    const loads: { readyMs: number; scriptMs: number; lastApiMs: number; apiBytes: number; nextPageMs: number; chartMs: Record<string, number> }[] = [];
    try {
      for (let i = 0; i < LOADS; i++) {
        const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
        const page = await context.newPage();
        // Signed in as the administrator before the load (the session cookie in the context), so the load measures the page, not the form.
        const signIn = await context.request.post(`${api}/auth/session`, { data: { token: TEST_ADMIN_TOKEN } });
        if (!signIn.ok()) throw new Error(`signing in: ${signIn.status()} ${await signIn.text()}`);
        let apiBytes = 0;
        page.on('response', (response) => {
          if (response.url().includes('/api/v1/') && !response.url().includes('/events')) void response.body().then((b) => (apiBytes += b.length), () => undefined);
        });
        await page.goto(`${origin}/sweeps/${big.id}`, { waitUntil: 'commit' });
        // Interactive: the sweep, the leaderboard, the curves and both plots are loaded and drawn.
        await page.waitForFunction(SWEEP_PAGE_READY, undefined, { polling: 'raf', timeout: 60_000 });
        const readyMs = await page.evaluate(() => performance.now());
        // Where the time went: the script bundle, and the API answers the page waited for.
        const resources = (await page.evaluate(RESOURCE_TIMINGS)) as [string, number][];
        const scriptMs = Math.max(...resources.filter(([name]) => name.endsWith('.js')).map(([, end]) => end));
        const lastApiMs = Math.max(...resources.filter(([name]) => name.includes('/api/v1/') && !name.includes('/events')).map(([, end]) => end));
        // Then how fast it answers: the next leaderboard page, sorted on the server.
        const range = await page.getByTestId('page-range').innerText();
        const clicked = performance.now();
        await page.getByTestId('next-page').click();
        // Polled every frame in the page (a poll from here every 250 ms would round the time up to it).
        await page.waitForFunction(`document.querySelector('[data-testid="page-range"]')?.innerText !== ${JSON.stringify(range)}`, undefined, { polling: 'raf', timeout: 30_000 });
        const nextPageMs = performance.now() - clicked;
        const charts = (await page.evaluate(CHART_TIMINGS)) as [string, number][];
        const chartMs = Object.fromEntries(charts.map(([name, ms]) => [name, Math.round(ms)]));
        loads.push({ readyMs, scriptMs, lastApiMs, apiBytes, nextPageMs, chartMs });
        console.log(
          `[bench] sweep page load ${i + 1}: interactive after ${readyMs.toFixed(0)} ms (script loaded at ${scriptMs.toFixed(0)} ms, last API answer at ${lastApiMs.toFixed(0)} ms, ${apiBytes} bytes of API answers), next leaderboard page in ${nextPageMs.toFixed(0)} ms; drawing ${JSON.stringify(chartMs)}`,
        );
        await context.close();
      }
    } finally {
      await browser.close();
    }
    const result = {
      trials: TRIALS,
      epochs: EPOCHS,
      metricPoints: n,
      sweepPage: { medianInteractiveMs: median(loads.map((l) => l.readyMs)), medianApiBytes: median(loads.map((l) => l.apiBytes)), medianNextPageMs: median(loads.map((l) => l.nextPageMs)), loads },
      endpoints,
    };
    mkdirSync(join(__dirname, '../tmp'), { recursive: true });
    writeFileSync(join(__dirname, '../tmp/bench-dashboard.json'), JSON.stringify(result, null, 2));
    console.log(`\nSweep page, ${TRIALS} trials x ${EPOCHS} epochs: interactive after ${result.sweepPage.medianInteractiveMs.toFixed(0)} ms (median of ${LOADS} cold loads), next leaderboard page ${result.sweepPage.medianNextPageMs.toFixed(0)} ms`);
    console.log('| endpoint | median ms | bytes |\n|---|---|---|');
    for (const [label, r] of Object.entries(endpoints)) console.log(`| ${label} | ${r.ms.toFixed(1)} | ${r.bytes} |`);
  } finally {
    await coordinator?.stop('SIGTERM');
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await db.end();
    await dropDatabase(DATABASE_URL);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
