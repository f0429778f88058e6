import assert from 'node:assert/strict';
import type { SweepDto, TrialEvent } from '@tuneforge/contracts';
import { TRIAL_CONSTANT_METRICS } from '@tuneforge/training';
import type { FaultStack, TrialRow } from './fault-stack';

/** Events with which the system itself records that a run of a trial was cut short and the trial handed on. */
export const INTERRUPTION_EVENTS: ReadonlySet<string> = new Set(['requeued', 'superseded', 'handed-back']);

/** Where each trial stood the moment before a fault. */
export interface FaultSnapshot {
  /** What was done (e.g. 'kill -9 worker victim'). */
  fault: string;
  /** Date.now() right before the fault. */
  at: number;
  /** Per trial id: the highest epoch with metrics stored, and the trial's status, then. */
  progress: ReadonlyMap<string, { recordedEpoch: number; status: string }>;
}

/** Takes the snapshot right before a fault: call it, then inject the fault at once. */
export async function snapshotBeforeFault(stack: FaultStack, sweepId: string, fault: string): Promise<FaultSnapshot> {
  const trials = await stack.trials(sweepId);
  return { fault, at: Date.now(), progress: new Map(trials.map((t) => [t.id, { recordedEpoch: t.recordedEpoch, status: t.status }])) };
}

export interface InvariantOptions {
  /** Trials the scenario interrupted itself (their worker was killed), with the attempts each must end with. */
  killed?: ReadonlyMap<string, number>;
  /** Snapshots taken before each fault, to measure the epochs each re-run trial lost. */
  faults?: readonly FaultSnapshot[];
}

/** A trial that ran more than once, and why the invariants accepted that. */
export interface Interruption {
  trialNumber: number;
  attempts: number;
  /** 'killed by the test', or the interruption events the system recorded. */
  why: string;
  /** Per fault: epochs trained before it that had to be trained again. */
  epochsLost: number[];
}

export interface SweepOutcome {
  sweep: SweepDto;
  trials: TrialRow[];
  interrupted: Interruption[];
}

/**
 * What every fault case must leave behind, whatever the fault:
 * - the sweep is `completed` with exactly `maxTrials` trials, each completed (or pruned) after all its epochs;
 * - a trial has `attempts` = 1 unless it was really interrupted: the scenario killed its worker (then
 *   exactly the attempts the scenario says), or the system recorded why it handed the trial on (a
 *   `requeued`, `superseded` or `handed-back` event; each explains at most one more attempt). Each
 *   attempt is one `started` event;
 * - exactly one metric row per (trial, metric, epoch), every epoch 1..last_epoch present for every
 *   per-epoch metric, the per-trial constants at epoch 1 only, nothing past last_epoch;
 * - a trial run again after a fault lost at most `checkpointEvery` epochs: the epoch it resumed from
 *   (its `resumed` event after the fault, or 0 when it started over) against the highest epoch it had
 *   stored metrics for before the fault.
 */
export async function assertSweepInvariants(stack: FaultStack, sweepId: string, options: InvariantOptions = {}): Promise<SweepOutcome> {
  const { body: sweep } = await stack.get<SweepDto>(`/sweeps/${sweepId}`);
  const { maxTrials, maxEpochsPerTrial } = sweep.spec.budget;
  const checkpointEvery = sweep.spec.checkpointEvery;
  const trials = await stack.trials(sweepId);
  const describe = (t: TrialRow) => `trial #${t.number} (${t.id}): ${JSON.stringify(t.events.map((e) => `${e.type}: ${e.message}`))}`;

  assert.equal(sweep.status, 'completed', `sweep ${sweepId} is ${sweep.status}`);
  assert.equal(sweep.trialsCreated, maxTrials, 'trials created = maxTrials');
  assert.equal(trials.length, maxTrials, 'trials stored = maxTrials');
  assert.deepEqual(
    trials.map((t) => t.number),
    trials.map((_, i) => i),
    'trial numbers 0..maxTrials-1, none twice',
  );
  for (const trial of trials) {
    assert.ok(trial.status === 'completed' || trial.status === 'pruned', `${trial.status} (${trial.statusReason}): ${describe(trial)}`);
    if (trial.status === 'completed') assert.equal(trial.lastEpoch, maxEpochsPerTrial, `last epoch of ${describe(trial)}`);
  }

  const interrupted: Interruption[] = [];
  for (const trial of trials) {
    const starts = trial.events.filter((e) => e.type === 'started').length;
    assert.equal(starts, trial.attempts, `one 'started' event per attempt: ${describe(trial)}`);
    const killedAttempts = options.killed?.get(trial.id);
    const interruptions = trial.events.filter((e) => INTERRUPTION_EVENTS.has(e.type));
    const epochsLost = (options.faults ?? []).map((fault) => epochsLostTo(fault, trial, checkpointEvery));
    if (killedAttempts !== undefined) {
      assert.equal(trial.attempts, killedAttempts, `attempts of the trial whose worker was killed: ${describe(trial)}`);
      interrupted.push({ trialNumber: trial.number, attempts: trial.attempts, why: 'its worker was killed by the test', epochsLost });
    } else if (interruptions.length === 0) {
      assert.equal(trial.attempts, 1, `a trial nothing interrupted runs once; ${describe(trial)}`);
    } else {
      assert.ok(trial.attempts <= 1 + interruptions.length, `more attempts than recorded interruptions: ${describe(trial)}`);
      if (trial.attempts > 1) interrupted.push({ trialNumber: trial.number, attempts: trial.attempts, why: interruptions.map((e) => `${e.type}: ${e.message}`).join('; '), epochsLost });
    }
  }

  const { rows: duplicates } = await stack.db.query(
    `SELECT trial_id, name, epoch, count(*)::int AS n FROM metric_points WHERE sweep_id = $1 GROUP BY 1, 2, 3 HAVING count(*) > 1 LIMIT 5`,
    [sweepId],
  );
  assert.deepEqual(duplicates, [], 'one metric row per (trial, metric, epoch)');
  const { rows: series } = await stack.db.query<{ trial_id: string; name: string; epochs: number[] }>(
    `SELECT trial_id, name, array_agg(epoch ORDER BY epoch) AS epochs FROM metric_points WHERE sweep_id = $1 GROUP BY 1, 2`,
    [sweepId],
  );
  const names = [...new Set(series.map((s) => s.name))].filter((name) => !TRIAL_CONSTANT_METRICS.has(name));
  assert.ok(names.length >= 2, `per-epoch metrics stored: ${names.join(', ')}`);
  for (const trial of trials) {
    const last = trial.lastEpoch ?? 0;
    const expected = Array.from({ length: last }, (_, i) => i + 1);
    for (const name of names) {
      const stored = series.find((s) => s.trial_id === trial.id && s.name === name)?.epochs ?? [];
      assert.deepEqual(stored, expected, `epochs of ${name} for trial #${trial.number} (last_epoch ${last})`);
    }
    for (const constant of series.filter((s) => s.trial_id === trial.id && TRIAL_CONSTANT_METRICS.has(s.name))) {
      assert.deepEqual(constant.epochs, [1], `${constant.name} of trial #${trial.number} is stored with epoch 1 only`);
    }
  }
  return { sweep, trials, interrupted };
}

/** The most trials of the sweep that ran at one moment (by their started_at and finished_at). */
export async function peakConcurrentTrials(stack: FaultStack, sweepId: string): Promise<number> {
  const { rows } = await stack.db.query<{ peak: number }>(
    `SELECT max(c)::int AS peak FROM (SELECT (SELECT count(*) FROM trials o WHERE o.sweep_id = t.sweep_id AND o.started_at <= t.started_at AND o.finished_at > t.started_at) AS c
     FROM trials t WHERE t.sweep_id = $1) s`,
    [sweepId],
  );
  return rows[0].peak;
}

/**
 * Epochs a trial had stored before the fault and trained again after it: 0 when it was not run again
 * after the fault; otherwise its progress then minus the epoch its next run resumed from (0 when that
 * run started from scratch). Asserts the loss is at most `checkpointEvery`.
 */
function epochsLostTo(fault: FaultSnapshot, trial: TrialRow, checkpointEvery: number): number {
  const before = fault.progress.get(trial.id);
  if (!before || before.recordedEpoch === 0) return 0;
  const after = trial.events.filter((e) => Date.parse(e.at) >= fault.at);
  const restart = after.findIndex((e) => e.type === 'started');
  if (restart < 0) return 0;
  const resumed = resumedEpoch(after.slice(restart + 1).find((e) => e.type === 'resumed' || e.type === 'started'));
  const lost = Math.max(0, before.recordedEpoch - resumed);
  assert.ok(
    lost <= checkpointEvery,
    `trial #${trial.number} had epoch ${before.recordedEpoch} stored before '${fault.fault}' and resumed from epoch ${resumed}: ${lost} epochs lost, checkpointEvery ${checkpointEvery}`,
  );
  return lost;
}

/** The epoch of a `resumed from the checkpoint of epoch N` event; 0 when the run did not resume (it started over). */
function resumedEpoch(event: TrialEvent | undefined): number {
  if (event?.type !== 'resumed') return 0;
  const match = /epoch (\d+)/.exec(event.message);
  assert.ok(match, `a resumed event names its epoch: ${event.message}`);
  return Number(match[1]);
}
