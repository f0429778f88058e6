import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { endActiveTrials, freePort, TEST_ADMIN_TOKEN, waitFor } from '@tuneforge/testing';
import { CLI_BIN as BIN, tuneforge } from './support/cli';
import { E2eStack } from './support/e2e-stack';

const SIMULATED_SWEEP = `# a small simulated sweep
name: cli-simulated
dataset:
  source: builtin
  name: us-births-1969-1988
model: simulated
objective:
  metric: val_loss
  direction: minimize
searchSpace:
  learningRate: { type: float, min: 0.0001, max: 0.1, log: true }
  hiddenUnits: { type: int, min: 16, max: 128 }
algorithm: { type: random }
earlyStopping: { type: median, warmupEpochs: 1, minTrials: 3 }
budget: { maxTrials: 12, maxConcurrent: 4, maxEpochsPerTrial: 6 }
seed: 7
`;

describe('the tuneforge command line against a real coordinator', () => {
  const stack = new E2eStack('cli', { SIMULATED_EPOCH_MS: '20' });
  const dir = mkdtempSync(join(tmpdir(), 'tuneforge-cli-'));
  let api = '';
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  before(async () => {
    await stack.start();
    api = stack.api.replace(/\/api\/v1$/, '');
  });
  after(() => stack.close());

  it('submits a sweep, watches it to the end and shows the leaderboard best first', async () => {
    stack.startWorker('cli-worker');
    const submitted = await tuneforge(['--api', api, 'submit', file('sweep.yaml', SIMULATED_SWEEP), '--watch', '--interval', '200']);
    assert.equal(submitted.code, 0, submitted.stderr);
    const id = /submitted sweep ([0-9a-f-]{36})/.exec(submitted.stdout)?.[1];
    assert.ok(id, submitted.stdout);
    assert.match(submitted.stdout, /status\s+completed/);
    assert.match(submitted.stderr, /trials/, 'the progress bar goes to stderr');
    const sweep = await stack.client.getSweep({ id });
    assert.equal(sweep.trialCounts.total, 12);

    const trials = await tuneforge(['trials', id, '--top', '3'], { TUNEFORGE_API: api });
    assert.equal(trials.code, 0, trials.stderr);
    const rows = trials.stdout.split('\n').filter((line) => /^\s*\d+\s+\d+\s/.test(line));
    assert.equal(rows.length, 3, trials.stdout);
    const values = rows.map((row) => Number(row.trim().split(/\s+/)[3]));
    assert.deepEqual(values, [...values].sort((a, b) => a - b), 'best (lowest val_loss) first');
    assert.ok(sweep.best, 'the completed sweep has no best trial');
    assert.equal(values[0], Number(sweep.best.value.toPrecision(5)));

    const leaderboardRows = (out: string) => out.split('\n').filter((line) => /^\s*\d+\s+\d+\s/.test(line)).map((row) => row.trim().split(/\s+/).slice(0, 2).map(Number));
    const firstPage = await tuneforge(['trials', id, '--top', '5'], { TUNEFORGE_API: api });
    const cursor = /next: tuneforge trials \S+ --top 5 --after (\S+)/.exec(firstPage.stdout)?.[1];
    assert.ok(cursor, firstPage.stdout);
    const secondPage = await tuneforge(['trials', id, '--top', '5', '--after', cursor], { TUNEFORGE_API: api });
    assert.equal(secondPage.code, 0, secondPage.stderr);
    assert.deepEqual(leaderboardRows(secondPage.stdout).map(([rank]) => rank), [6, 7, 8, 9, 10], secondPage.stdout);
    assert.equal(new Set([...leaderboardRows(firstPage.stdout), ...leaderboardRows(secondPage.stdout)].map(([, number]) => number)).size, 10, 'no trial on both pages');
    assert.match(secondPage.stdout, /6-10 of 12 trials/);

    const list = await tuneforge(['--api', api, 'status']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${id}\\s+cli-simulated\\s+completed\\s+12/12`));
    await stack.stopWorkers();
  });

  it("says why a sweep failed: following it exits 1 with the sweep's reason, and so does `status`", async () => {
    const spec = SIMULATED_SWEEP.replace('name: cli-simulated', 'name: cli-failing').replace('maxTrials: 12, maxConcurrent: 4', 'maxTrials: 2, maxConcurrent: 2');
    const submitted = await tuneforge(['--api', api, 'submit', file('failing.yaml', spec)]);
    const id = /submitted sweep ([0-9a-f-]{36})/.exec(submitted.stdout)?.[1];
    assert.ok(id, submitted.stdout + submitted.stderr);
    // No worker runs it: its trials fail as a worker records a failure; the coordinator's reconcile pass ends the sweep.
    await endActiveTrials(await stack.stores(), id, { status: 'failed' });
    const followed = await tuneforge(['--api', api, 'logs', id, '--interval', '200']);
    assert.equal(followed.code, 1, 'a followed sweep that ends other than completed');
    assert.match(followed.stdout, /status\s+failed: all 2 trials failed; the first, trial 0: failed by the test/);
    const status = await tuneforge(['--api', api, 'status', id]);
    assert.match(status.stdout, /status\s+failed: all 2 trials failed; the first, trial 0: failed by the test/);
  });

  it('pauses, resumes and cancels a running sweep; logs prints each trial as it ends; the cancelled sweep is deleted', async () => {
    const submitted = await tuneforge(['--api', api, 'submit', file('long.yaml', SIMULATED_SWEEP.replace('maxTrials: 12, maxConcurrent: 4', 'maxTrials: 400, maxConcurrent: 2'))]);
    const submittedId = /submitted sweep ([0-9a-f-]{36})/.exec(submitted.stdout);
    assert.ok(submittedId, `submit printed no sweep id: ${submitted.stdout}${submitted.stderr}`);
    const id = submittedId[1];
    assert.match((await tuneforge(['--api', api, 'pause', id])).stdout, /is paused/);
    assert.match((await tuneforge(['--api', api, 'resume', id])).stdout, /is running/);

    stack.startWorker('cli-logs-worker');
    const logs = spawn(process.execPath, [BIN, '--api', api, 'logs', id, '--interval', '200'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TUNEFORGE_TOKEN: TEST_ADMIN_TOKEN } });
    const exited = once(logs, 'exit');
    let output = '';
    logs.stdout.on('data', (chunk) => (output += chunk));
    logs.stderr.on('data', (chunk) => (output += chunk));
    await waitFor('logs prints ended trials', async () => /trial \d+ (completed|pruned at rung \d+): \S+/.test(output), 60_000).catch((error: Error) => {
      throw new Error(`${error.message}; logs printed:\n${output}`);
    });

    const cancelled = await tuneforge(['--api', api, 'cancel', id]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, /is cancelled/);
    const timer = setTimeout(() => logs.kill(), 30_000);
    const [code] = await exited;
    clearTimeout(timer);
    assert.equal(code, 1, `following a sweep that was cancelled exits non-zero; it printed:\n${output.slice(-2000)}`);
    await stack.stopWorkers();

    const deleted = await tuneforge(['--api', api, 'delete-sweep', id]);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, new RegExp(`sweep ${id} deleted`));
    const gone = await tuneforge(['--api', api, 'delete-sweep', id]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, new RegExp(`DELETE /sweeps/${id} failed with 404: sweep '${id}' not found`));
  });

  it('points at the line of a YAML syntax error and of an invalid field, without contacting anyone', async () => {
    const broken = await tuneforge(['--api', 'http://127.0.0.1:1', 'submit', file('broken.yaml', 'name: x\nbudget:\n  maxTrials: [1, 2\n')]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /broken\.yaml:\d+:\d+: /);

    const invalid = await tuneforge(['--api', 'http://127.0.0.1:1', 'submit', file('invalid.yaml', SIMULATED_SWEEP.replace('maxTrials: 12', 'maxTrials: -3').replace('seed: 7', 'seed: 7\nspeed: 3'))]);
    assert.equal(invalid.code, 2, invalid.stderr);
    assert.match(invalid.stderr, /invalid\.yaml:15:\d+: budget\.maxTrials: /);
    assert.match(invalid.stderr, /invalid\.yaml:17:\d+: speed: unknown field/);

    const missing = await tuneforge(['submit', join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.yaml is not a valid sweep:\n\s+no such file/);
  });

  it('says clearly when the coordinator is unreachable, the sweep or dataset does not exist, or a delete is refused', async () => {
    const port = await freePort();
    const down = await tuneforge(['status'], { TUNEFORGE_API: `http://127.0.0.1:${port}` });
    assert.equal(down.code, 3);
    assert.match(down.stderr, new RegExp(`cannot reach the coordinator at http://127\\.0\\.0\\.1:${port}/api/v1 \\(ECONNREFUSED\\)`));

    const unknown = await tuneforge(['--api', api, 'status', '00000000-0000-4000-8000-000000000000']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /404.*00000000-0000-4000-8000-000000000000/);

    const live = /submitted sweep ([0-9a-f-]{36})/.exec((await tuneforge(['--api', api, 'submit', file('live.yaml', SIMULATED_SWEEP)])).stdout)?.[1];
    assert.ok(live);
    const refused = await tuneforge(['--api', api, 'delete-sweep', live]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /failed with 409: sweep '[0-9a-f-]{36}' is running; cancel it before deleting it/);
    await tuneforge(['--api', api, 'cancel', live]);
    const noDataset = await tuneforge(['--api', api, 'delete-dataset', '00000000-0000-4000-8000-000000000000']);
    assert.equal(noDataset.code, 1);
    assert.match(noDataset.stderr, /404: dataset '00000000-0000-4000-8000-000000000000' not found/);

    const usage = await tuneforge(['trials']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /missing required argument 'id'/);
  });
});
