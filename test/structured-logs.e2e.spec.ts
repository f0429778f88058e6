import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { TrialDto } from '@tuneforge/contracts';
import { aSweepSpec, waitFor, type AppProcess } from '@tuneforge/testing';
import { E2eStack } from './support/e2e-stack';

const ROOT = join(__dirname, '..');
const ORTHOGONAL_WARNING = /Orthogonal initializer is being called on a matrix with more than 2000/;

type LogLine = Record<string, unknown> & { level: string; time: string; message: string };

/** Every line a process wrote (stdout and stderr), parsed; a line that is not a JSON log line fails with the line. */
function logLines(app: AppProcess): LogLine[] {
  return app.output
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        assert.fail(`not a JSON line: ${line}`);
      }
      assert.ok(typeof parsed.level === 'string' && typeof parsed.message === 'string', `no level or message: ${line}`);
      assert.equal(new Date(parsed.time).toISOString(), parsed.time, `no ISO time: ${line}`);
      return parsed;
    });
}

/** Starts an app's entry with `env` and answers once it exited, with what it wrote. */
async function runToExit(entry: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['-r', './tools/register.js', entry], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, output };
}

describe('structured logs (coordinator and worker processes, stdout not a terminal)', () => {
  // LSTMs of 32 units: tfjs's own orthogonal initialiser warned for their 32 x 128 recurrent kernels, once per model.
  const stack = new E2eStack('logs', { TF_BACKEND: 'wasm' });
  let worker: AppProcess;
  let trials: TrialDto[] = [];

  before(async () => {
    delete process.env.LOG_FORMAT; // the default is what is tested
    await stack.start();
    worker = stack.startWorker('logs-worker', { LOG_LEVEL: 'debug' });
    const sweep = await stack.submit(
      aSweepSpec({
        name: 'logs',
        dataset: { source: 'builtin', name: 'us-births-1969-1988', window: 7, horizon: 1, validationSplit: 0.2 },
        searchSpace: { hiddenUnits: 32, learningRate: { type: 'float', min: 0.003, max: 0.03, log: true }, batchSize: 512 },
        budget: { maxTrials: 3, maxConcurrent: 1, maxEpochsPerTrial: 1 },
      }),
    );
    await stack.waitForSweep(sweep.id);
    trials = (await stack.get<{ items: TrialDto[] }>(`/sweeps/${sweep.id}/trials`)).items;
    await stack.stopWorkers();
    await stack.client.deleteSweep({ id: sweep.id }); // a request about the sweep: its lines carry the sweep's id
  });
  after(() => stack.close());

  it('writes only JSON lines with a level and an ISO time, on stdout and stderr alike', () => {
    assert.equal(trials.length, 3);
    for (const app of [stack.coordinator, worker]) assert.ok(logLines(app).length > 5, app.output);
    assert.ok(
      logLines(stack.coordinator).some((l) => l.context === 'Coordinator' && /^listening on http:\/\/127\.0\.0\.1:\d+/.test(l.message)),
      'the coordinator says where it listens',
    );
  });

  it("gives every line about a trial its sweep, trial and attempt, and every worker line the worker's id", () => {
    const lines = logLines(worker);
    assert.ok(lines.every((l) => l.workerId === 'logs-worker'), 'every worker line names the worker');
    for (const trial of trials) {
      const about = lines.filter((l) => l.message.includes(trial.id));
      assert.ok(about.length >= 2, `the worker logged about trial ${trial.id}: ${JSON.stringify(about)}`);
      for (const line of about) {
        assert.deepEqual([line.sweepId, line.trialId], [trial.sweepId, trial.id], JSON.stringify(line));
        if (line.context === 'TrialRunner') assert.equal(line.attempt, 1, JSON.stringify(line));
      }
      assert.ok(about.some((l) => /completed/.test(l.message) && l.attempt === 1), "the trial's end carries its attempt");
    }
    const coordinatorLines = logLines(stack.coordinator);
    const sweepId = trials[0].sweepId;
    assert.deepEqual(
      coordinatorLines.filter((l) => /completed: all 3 trials ended/.test(l.message)).map((l) => l.sweepId),
      [sweepId],
      "the coordinator's line about the sweep's end (a job event's top-up) carries the sweep",
    );
    assert.deepEqual(
      coordinatorLines.filter((l) => l.message === `sweep ${sweepId} deleted`).map((l) => l.sweepId),
      [sweepId],
      'so does the line of a request about the sweep',
    );
  });

  it('prints no warning per trial: the seeded orthogonal initialiser does not warn as tfjs\'s did for every model', () => {
    // tfjs warned "Orthogonal initializer is being called on a matrix with more than 2000 (4096) elements" for each
    // model it built; SeededOrthogonal gives its values without its slow QR and without the warning. Whatever a
    // library still prints goes through the logger once per process (ThirdPartyOutput, app-logger.spec).
    const lines = logLines(worker);
    assert.deepEqual(lines.filter((l) => ORTHOGONAL_WARNING.test(l.message)), []);
    const thirdParty = lines.filter((l) => l.oncePerProcess);
    assert.equal(new Set(thirdParty.map((l) => l.message)).size, thirdParty.length, `a library's line logged twice: ${JSON.stringify(thirdParty)}`);
    assert.ok(lines.filter((l) => l.level === 'warn').length < trials.length, `fewer warnings than trials: ${JSON.stringify(lines.filter((l) => l.level === 'warn'))}`);
  });

  it('writes text with LOG_FORMAT=pretty, without colours off a terminal', async () => {
    const pretty = stack.startWorker('logs-pretty', { LOG_FORMAT: 'pretty' });
    await waitFor('the pretty worker is ready', async () => {
      if (!pretty.running) throw new Error(`the worker exited:\n${pretty.output}`);
      return /worker logs-pretty ready/.test(pretty.output);
    });
    await stack.stopWorkers();
    const ready = pretty.output.split('\n').find((line) => /worker logs-pretty ready/.test(line)) ?? '';
    assert.match(ready, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[Worker\] worker logs-pretty ready: .*\{"workerId":"logs-pretty"\}$/);
    assert.ok(!pretty.output.includes('\u001b['), 'no ANSI colour codes');
    assert.throws(() => JSON.parse(ready));
  });

  it('refuses a bad LOG_FORMAT at start, naming the variable', async () => {
    for (const [entry, area] of [
      ['apps/coordinator/src/main.ts', 'coordinator'],
      ['apps/worker/src/main.ts', 'worker'],
    ]) {
      const { code, output } = await runToExit(entry, { LOG_FORMAT: 'xml', DATABASE_URL: stack.database.url });
      assert.equal(code, 1, output);
      const [line] = output.trim().split('\n').map((l) => JSON.parse(l) as LogLine);
      assert.equal(line.level, 'fatal');
      assert.match(line.message, new RegExp(`invalid ${area} environment: LOG_FORMAT: `));
      assert.match(line.message, /"json"\|"pretty"/);
      assert.match((line.err as { stack: string }).stack, /\n\s+at /, 'the error keeps its stack');
    }
  });
});
