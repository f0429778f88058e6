/**
 * Time to quality: the demo's job (examples/births-tpe-asha.yaml) through Tuneforge's stack against the same job done
 * with Optuna (TPE + successive halving) and PyTorch (bench/anchors/optuna_torch_births_split.py: the shared anchor on
 * Tuneforge's splits and output encoding, so both pick on the same validation rows with the same val_mae), in paired
 * rounds, one per seed: wall time, best value, and when each first reached a threshold both reached (the worse of
 * the two bests of the round).
 *
 * Tuneforge runs as a service does: the coordinator and two workers are up before the sweep is posted, and its clock
 * starts at the POST. The anchor's clock starts when its two worker processes are ready (torch imported, study
 * loaded), the same footing; its own total, start-up included, is reported beside it.
 * Usage: node -r ./tools/register.js bench/time-to-quality.ts [--seeds 1,2,3] [--optuna-src DIR]
 * (--optuna-src puts a newer Optuna's source tree first on PYTHONPATH). Writes tmp/bench-time-to-quality.json after each round.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page, TrialDto } from '@tuneforge/contracts';
import { medianOf } from '@tuneforge/search';
import { adminFetch } from '@tuneforge/testing';
import { runSweep, withBenchStack } from './bench-stack';
import { ownArgs } from './own-args';

const ROOT = join(__dirname, '..');
const SPEC_FILE = 'examples/births-tpe-asha.yaml';
const ANCHOR = 'bench/anchors/optuna_torch_births_split.py';

/** One system's run of the job: when each finished trial's value came in, from the clock's start. */
export interface QualityRun {
  /** Wall seconds from the clock's start to the last trial's end. */
  seconds: number;
  best: number;
  trials: number;
  epochs: number;
  /** [seconds since the clock's start, best value so far] at each trial's end, in time order. */
  bestSoFar: [number, number][];
}

export interface TimeToQualityRound {
  seed: number;
  tuneforge: QualityRun & { testMae: number | null; seasonalNaiveTestMae: number | null };
  optuna: QualityRun & { version: string; totalSeconds: number; readySeconds: number };
  seasonalNaiveValMae: number;
  /** The worse of the two bests: a value both reached. */
  threshold: number;
  tuneforgeToThreshold: number;
  optunaToThreshold: number;
}

export interface TimeToQualityResult {
  rounds: TimeToQualityRound[];
  optunaSource: string | null;
}

/** Seconds until the best so far first reached `threshold` (minimised objective). */
export function timeToReach(run: QualityRun, threshold: number): number {
  const hit = run.bestSoFar.find(([, best]) => best <= threshold);
  if (!hit) throw new Error(`never reached ${threshold}`);
  return hit[0];
}

function specWithSeed(seed: number): string {
  return readFileSync(join(ROOT, SPEC_FILE), 'utf8').replace(/^seed: .*$/m, `seed: ${seed}`).replace(/^name: .*$/m, `name: time-to-quality-${seed}`);
}

async function tuneforgeRun(api: string, seed: number): Promise<TimeToQualityRound['tuneforge']> {
  const { sweep, started } = await runSweep(api, specWithSeed(seed), `ttq-${process.pid}-${seed}`);
  const page = (await (await adminFetch(`${api}/sweeps/${sweep.id}/trials?limit=100&sort=number`)).json()) as Page<TrialDto>;
  const finished = page.items
    .filter((t) => t.finishedAt && t.bestMetric !== null)
    .map((t) => ({ at: (Date.parse(t.finishedAt as string) - started) / 1000, value: t.bestMetric as number, epochs: t.lastEpoch ?? 0 }))
    .sort((a, b) => a.at - b.at);
  const bestSoFar = runningBest(finished.map((t) => [t.at, t.value]));
  return {
    seconds: (Date.parse(sweep.finishedAt as string) - started) / 1000,
    best: bestSoFar[bestSoFar.length - 1][1],
    trials: page.items.length,
    epochs: page.items.reduce((sum, t) => sum + (t.lastEpoch ?? 0), 0),
    bestSoFar,
    testMae: sweep.best?.testMetrics?.test_mae ?? null,
    seasonalNaiveTestMae: sweep.best?.testMetrics?.seasonal_naive_test_mae ?? null,
  };
}

function runningBest(points: [number, number][]): [number, number][] {
  let best = Infinity;
  return points.map(([at, value]) => [at, (best = Math.min(best, value))]);
}

interface AnchorTrialLine {
  t_seconds: number;
  best_val_mae_of_trial: number | null;
  epochs: number;
}

function optunaRun(seed: number, optunaSource: string | null): TimeToQualityRound['optuna'] & { seasonalNaiveValMae: number } {
  const out = execFileSync('/usr/bin/python3', [ANCHOR, '--seed', String(seed)], {
    cwd: ROOT,
    env: { ...process.env, ...(optunaSource ? { PYTHONPATH: optunaSource } : {}) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 60 * 60_000,
  });
  const lines = out.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const final = lines[lines.length - 1] as { seconds: number; trials: number; epochs_trained: number; best_val_mae: number; optuna: string; workers_ready_seconds: number[]; seasonal_naive_val_mae: number };
  const ready = Math.max(...final.workers_ready_seconds);
  const trials = lines.filter((l): l is AnchorTrialLine & Record<string, unknown> => 't_seconds' in l);
  const finished = trials.filter((t) => t.best_val_mae_of_trial !== null).map((t): [number, number] => [t.t_seconds - ready, t.best_val_mae_of_trial as number]);
  return {
    seconds: final.seconds - ready,
    totalSeconds: final.seconds,
    readySeconds: ready,
    best: final.best_val_mae,
    trials: final.trials,
    epochs: final.epochs_trained,
    bestSoFar: runningBest(finished),
    version: final.optuna,
    seasonalNaiveValMae: final.seasonal_naive_val_mae,
  };
}

/** Runs the paired rounds, writing tmp/bench-time-to-quality.json after each. */
export async function timeToQuality(seeds: number[], optunaSource: string | null, progress: (m: string) => void): Promise<TimeToQualityResult> {
  const rounds: TimeToQualityRound[] = [];
  await withBenchStack('ttq', 2, async (api) => {
    for (const seed of seeds) {
      progress(`time to quality, seed ${seed}: Tuneforge`);
      const tuneforge = await tuneforgeRun(api, seed);
      progress(`time to quality, seed ${seed}: Tuneforge ${tuneforge.seconds.toFixed(1)} s, best ${tuneforge.best.toFixed(1)}; now Optuna + PyTorch`);
      const { seasonalNaiveValMae, ...optuna } = optunaRun(seed, optunaSource);
      progress(`time to quality, seed ${seed}: Optuna ${optuna.seconds.toFixed(1)} s, best ${optuna.best.toFixed(1)}`);
      const threshold = Math.max(tuneforge.best, optuna.best);
      rounds.push({
        seed,
        tuneforge,
        optuna,
        seasonalNaiveValMae,
        threshold,
        tuneforgeToThreshold: timeToReach(tuneforge, threshold),
        optunaToThreshold: timeToReach(optuna, threshold),
      });
      writeResult({ rounds, optunaSource }); // after every round, so a run cut short keeps its finished rounds
    }
  });
  return { rounds, optunaSource };
}

export const TIME_TO_QUALITY_FILE = join(ROOT, 'tmp', 'bench-time-to-quality.json');

function writeResult(result: TimeToQualityResult): void {
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  writeFileSync(TIME_TO_QUALITY_FILE, JSON.stringify(result, null, 2));
}

/** The goal of issue 16: to the same quality this many times faster than Optuna + PyTorch. */
const GOAL_SPEED_UP = 5;

/** Epochs trained in the run, and how many per wall second (both systems train two trials at a time). */
function epochRate(run: QualityRun): string {
  return `${run.epochs} (${(run.epochs / run.seconds).toFixed(1)})`;
}

/** BENCHMARKS.md's time-to-quality section. */
export function timeToQualitySection(result: TimeToQualityResult | undefined): string[] {
  if (!result) return ['## Time to quality', '', 'Skipped (`--skip-time-to-quality`).', ''];
  const { rounds } = result;
  const speedUps = rounds.map((r) => r.optunaToThreshold / r.tuneforgeToThreshold);
  const wallRatios = rounds.map((r) => r.optuna.seconds / r.tuneforge.seconds);
  const epochRateRatios = rounds.map((r) => r.tuneforge.epochs / r.tuneforge.seconds / (r.optuna.epochs / r.optuna.seconds));
  const first = rounds[0];
  return [
    '## Time to quality: the demo job against Optuna + PyTorch',
    '',
    `\`${SPEC_FILE}\` (24 TPE trials, ASHA at epochs 4, 8, 16, up to 32 epochs, 2 at a time) through the stack (coordinator and two`,
    'workers, native engine), against the same job done with Optuna TPE + successive halving driving a PyTorch LSTM in two',
    `processes (\`${ANCHOR}\`: the shared anchor \`optuna_torch_births.py\`, unchanged, with its data loader replaced by a port of`,
    "Tuneforge's splits and output encoding, so both pick on the same 1,461 validation days with the same val_mae; seasonal naive",
    `${first ? first.seasonalNaiveValMae.toFixed(1) : '-'}). One paired round per seed, Tuneforge first. Tuneforge's clock starts at the POST (the stack is up, as a service is);`,
    "Optuna's when its two worker processes are ready (their start-up, torch's import included, is in the total shown beside).",
    'The threshold of a round is the worse of the two bests, a val_mae both reached; "to threshold" is when the best so far',
    `first reached it (at a trial's end). ${result.rounds[0]?.optuna.version ? `Optuna ${result.rounds[0].optuna.version}` : ''}${result.optunaSource ? ' (a source tree on `PYTHONPATH`)' : ''}, PyTorch one thread per process.`,
    '',
    'Command: `npm run bench:anchors` (or `node -r ./tools/register.js bench/time-to-quality.ts --seeds 1,2,3 [--optuna-src DIR]`).',
    '',
    '| seed | Tuneforge wall s | Tuneforge best | Tuneforge epochs (per s) | Optuna wall s (with start-up) | Optuna best | Optuna epochs (per s) | threshold | Tuneforge to threshold s | Optuna to threshold s | faster to threshold |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rounds.map(
      (r, i) =>
        `| ${r.seed} | ${r.tuneforge.seconds.toFixed(1)} | ${r.tuneforge.best.toFixed(1)} | ${epochRate(r.tuneforge)} | ${r.optuna.seconds.toFixed(1)} (${r.optuna.totalSeconds.toFixed(1)}) | ${r.optuna.best.toFixed(1)} | ${epochRate(r.optuna)} | ${r.threshold.toFixed(1)} | ${r.tuneforgeToThreshold.toFixed(1)} | ${r.optunaToThreshold.toFixed(1)} | ${speedUps[i].toFixed(1)}x |`,
    ),
    '',
    rounds.length
      ? `Medians over ${rounds.length} seeds: ${medianOf(speedUps).toFixed(1)}x faster to the threshold, ${medianOf(wallRatios).toFixed(1)}x less wall time for the whole job, ${medianOf(epochRateRatios).toFixed(1)}x the epochs per second (the rest of the ratio is which trials each search ran, and how long they took to reach the threshold). The issue 16 goal is ${GOAL_SPEED_UP}x faster to the same quality: ${medianOf(speedUps) >= GOAL_SPEED_UP ? 'met' : 'not met'} in this run.`
      : '',
    '',
  ];
}

if (require.main === module) {
  const { values } = parseArgs({ args: ownArgs(module), options: { seeds: { type: 'string', default: '1,2,3' }, 'optuna-src': { type: 'string' } } });
  timeToQuality(values.seeds.split(',').map(Number), values['optuna-src'] ?? null, (m) => process.stderr.write(`[bench] ${m}\n`)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
