import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { SweepDto, SweepSpecInput } from '@tuneforge/contracts';
import { collectPageErrors, launchChromium, screenshot } from './support/browser';
import { E2eStack } from './support/e2e-stack';
import { adminFetch, endActiveTrials, TEST_ADMIN_TOKEN, waitFor } from '@tuneforge/testing';

const TIMEOUT = 30_000;

/** Simulated trials (no training) slow enough to watch: about 4 s each, pruned by ASHA at rungs 1, 3 and 9. */
function watchedSweep(): SweepSpecInput {
  return {
    name: 'dashboard-e2e',
    dataset: { source: 'builtin', name: 'us-births-1969-1988', window: 14, horizon: 1, validationSplit: 0.2 },
    model: 'simulated',
    objective: { metric: 'val_loss', direction: 'minimize' },
    searchSpace: {
      hiddenUnits: { type: 'int', min: 8, max: 128, log: true },
      dropout: { type: 'float', min: 0, max: 0.5 },
      learningRate: { type: 'float', min: 0.0001, max: 0.05, log: true },
      cell: { type: 'choice', values: ['lstm', 'gru', 'rnn'] },
    },
    algorithm: { type: 'random' },
    earlyStopping: { type: 'asha', minEpochs: 1, reductionFactor: 3 },
    budget: { maxTrials: 40, maxConcurrent: 4, maxEpochsPerTrial: 20 },
    seed: 11,
  };
}

describe('dashboard in headless chromium against a real coordinator and workers', () => {
  const stack = new E2eStack('dashboard_e2e', { EVENTS_HEARTBEAT_MS: '2000' });
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let sweep: SweepDto;

  before(async () => {
    await stack.start();
    stack.startWorker('dash-w1', { WORKER_CONCURRENCY: '2', SIMULATED_EPOCH_MS: '200', HEARTBEAT_MS: '1000' });
    stack.startWorker('dash-w2', { WORKER_CONCURRENCY: '2', SIMULATED_EPOCH_MS: '200', HEARTBEAT_MS: '1000' });
    sweep = await stack.submit(watchedSweep());
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(TIMEOUT);
    // Signed in as the administrator: the session and CSRF cookies land in the page's context.
    const signIn = await page.request.post(`${stack.origin}/api/v1/auth/session`, { data: { token: TEST_ADMIN_TOKEN } });
    assert.equal(signIn.status(), 200, await signIn.text());
    pageErrors = collectPageErrors(page);
  });
  after(async () => {
    await browser?.close();
    await stack.close();
  });

  it('lists the sweep with its status and progress', async () => {
    await page.goto(stack.origin + '/');
    const row = page.getByTestId('sweep-row').filter({ hasText: 'dashboard-e2e' });
    await row.waitFor();
    assert.match(await row.getByTestId('status-chip').innerText(), /running/);
    assert.match(await row.getByTestId('progress').innerText(), /\d+ \/ 40/);
    await page.getByTestId('connection').and(page.locator('[data-state="live"]')).waitFor();
    await screenshot(page, 'sweeps');
    // Live: trials finish and the progress moves with no reload.
    await waitFor('the list shows finished trials', async () => Number.parseInt(await row.getByTestId('progress').innerText(), 10) > 0, TIMEOUT);
    await page.getByTestId('status-filter').selectOption('completed');
    await page.getByText('No sweeps with status completed yet.').waitFor();
    await page.getByTestId('status-filter').selectOption('running');
    await row.waitFor();
  });

  it('opens the running sweep: the leaderboard fills, the curves and plots draw', async () => {
    await page.getByRole('link', { name: 'dashboard-e2e' }).click();
    await page.getByTestId('sweep-page').waitFor();
    assert.match(await page.getByTestId('spec-summary').innerText(), /us-births-1969-1988[\s\S]*simulated[\s\S]*minimize val_loss[\s\S]*asha/);
    // Live: with no reload, trials with an objective appear and curves gain points.
    await waitForText(page, '[data-testid="trial-objective"]', (texts) => texts.filter((t) => t !== '–').length >= 3);
    await waitForAttribute(page, '[data-testid="curves-chart"]', 'data-points', (v) => Number(v) >= 30);
    await waitForAttribute(page, '[data-testid="parallel-chart"]', 'data-points', (v) => Number(v) >= 3);
    await waitForAttribute(page, '[data-testid="scatter-chart"]', 'data-points', (v) => Number(v) >= 3);
    // Live reloads replace the page while trials finish; a settled page is best (lowest val_loss) first.
    const objectives = async () => (await page.getByTestId('trial-objective').allInnerTexts()).filter((t) => t !== '–').map(Number);
    await waitFor('the leaderboard shows best first', async () => {
      const shown = await objectives();
      return shown.every((value, i) => i === 0 || shown[i - 1] <= value);
    }, TIMEOUT).catch(async (error: Error) => assert.fail(`${error.message}: ${(await objectives()).join(', ')}`));
    // Ended trials show their test score in the leaderboard, and the summary the best trial's against the baseline.
    await waitForText(page, '[data-testid="trial-test-score"]', (texts) => texts.some((t) => /^[\d.]+$/.test(t)));
    await waitForText(page, '[data-testid="best-test-score"]', ([text]) => /test_mae [\d.]+ vs seasonal naive/.test(text ?? ''));
    // The searched choice: each cell's best and median, the best cell first (lowest val_loss, the objective's direction).
    await waitFor('every cell has a trial with a value', async () => (await page.locator('[data-testid="choice-table"][data-parameter="cell"] tbody tr').count()) === 3, TIMEOUT);
    const cellRows = (await page.locator('[data-testid="choice-table"][data-parameter="cell"] tbody tr').allInnerTexts()).map((row) => row.split(/\s+/));
    assert.deepEqual(cellRows.map((row) => row[0]).sort(), ['gru', 'lstm', 'rnn']);
    const bests = cellRows.map((row) => Number(row[2]));
    assert.ok(bests.every((best, i) => i === 0 || bests[i - 1] <= best), `best cell first: ${JSON.stringify(cellRows)}`);
    assert.ok(cellRows.every((row) => Number(row[3]) >= Number(row[2])), 'the median is no better than the best');
    await page.getByTestId('log-scale').check();
    await page.getByTestId('smoothing').fill('0.6');
    await screenshot(page, 'sweep');
  });

  // A sweep of its own that cannot finish while it is paused, resumed and extended (the first one can, on a fast machine).
  let acted: SweepDto;
  it('pauses and resumes a sweep from the UI, after confirming', async () => {
    acted = await stack.submit({ ...watchedSweep(), name: 'dashboard-e2e-actions', budget: { maxTrials: 1_000, maxConcurrent: 2, maxEpochsPerTrial: 20 } });
    await page.goto(`${stack.origin}/sweeps/${acted.id}`);
    await page.getByTestId('action-pause').click();
    await page.getByRole('dialog', { name: 'Pause this sweep?' }).getByRole('button', { name: 'Pause' }).click();
    await page.locator('[data-testid="sweep-page"][data-sweep-status="paused"]').waitFor();
    assert.equal((await stack.client.getSweep({ id: acted.id })).status, 'paused');
    await page.getByTestId('action-resume').click();
    await page.getByRole('dialog', { name: 'Resume this sweep?' }).getByRole('button', { name: 'Resume' }).click();
    await page.locator('[data-testid="sweep-page"][data-sweep-status="running"]').waitFor();
    assert.equal((await stack.client.getSweep({ id: acted.id })).status, 'running');
  });

  it('extends the budget from the UI', async () => {
    await page.getByTestId('action-extend').click();
    const dialog = page.getByRole('dialog', { name: 'Extend the budget?' });
    await dialog.getByTestId('extend-by').fill('5');
    assert.match(await dialog.innerText(), /from 1000 to 1005 trials/);
    await dialog.getByRole('button', { name: 'Extend' }).click();
    await waitFor('the progress shows the new budget', async () => /\/ 1005$/.test(await page.getByTestId('sweep-summary').getByTestId('progress').innerText()), TIMEOUT);
    assert.equal((await stack.client.getSweep({ id: acted.id })).plannedTrials, 1005);
    // It has served: its slots go back to the other tests' sweeps.
    await stack.client.cancelSweep({ id: acted.id });
  });

  it('shows disconnected while the coordinator restarts, then reconnects and keeps updating', async () => {
    // A sweep of its own that cannot finish during the restart, however slow the machine (the first one can).
    const long = await stack.submit({ ...watchedSweep(), name: 'dashboard-e2e-restart', budget: { maxTrials: 1_000, maxConcurrent: 2, maxEpochsPerTrial: 20 } });
    await page.goto(`${stack.origin}/sweeps/${long.id}`);
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor();
    const port = Number(new URL(stack.origin).port);
    const before = await page.getByTestId('page-range').innerText();
    await stack.coordinator.stop('SIGTERM');
    await page.locator('[data-testid="connection"][data-state="disconnected"]').waitFor();
    assert.match(await page.getByTestId('connection').innerText(), /disconnected/);
    await screenshot(page, 'disconnected');
    await stack.startCoordinator(port);
    await page.locator('[data-testid="connection"][data-state="live"]').waitFor();
    // Trials finished by the workers meanwhile show up without a page reload.
    const progress = () => page.getByTestId('sweep-summary').getByTestId('progress').innerText();
    const seen = await progress();
    await waitFor('the progress moves after the reconnect', async () => (await progress()) !== seen, TIMEOUT);
    assert.ok(before.length > 0);
    await stack.client.cancelSweep({ id: long.id });
  });

  it('opens a trial: config, status history with reasons, every metric, checkpoints', async () => {
    const finished = await waitFor('a trial has finished', async () => {
      const trials = await stack.client.listTrials({ id: sweep.id, query: { status: 'completed', limit: 1 } });
      return trials.items[0];
    });
    await page.goto(`${stack.origin}/trials/${finished.id}`);
    await page.getByTestId('trial-page').waitFor();
    assert.match(await page.getByTestId('trial-config').innerText(), /learningRate[\s\S]*hiddenUnits|hiddenUnits[\s\S]*learningRate/);
    const history = await page.getByTestId('history-event').allInnerTexts();
    assert.ok(history.some((h) => /started attempt 1 on worker dash-w/.test(h)), history.join('\n'));
    assert.ok(history.some((h) => /completed best val_loss/.test(h)), history.join('\n'));
    // The objective first, loss and val_loss on one chart (20 epochs each), the unchanging param_count as a number.
    await waitForAttribute(page, '[data-metric="val_loss"] .chart', 'data-points', (v) => Number(v) === 40);
    const charts = page.getByTestId('metric-chart');
    const metrics = await Promise.all(Array.from({ length: await charts.count() }, (_, i) => charts.nth(i).getAttribute('data-metric')));
    assert.deepEqual(metrics, ['val_loss', 'epoch_seconds', 'val_mae']);
    assert.match(await page.getByTestId('metric-constants').innerText(), /param_count \(weights\) [\d,]+/);
    assert.match(await page.getByTestId('trial-durations').innerText(), /wall time [\d.]+ s[\s\S]*epoch [\d.]+ s on average[\s\S]*time to best \(epoch \d+\) [\d.]+ s/);
    assert.match(await page.getByTestId('baseline').innerText(), /best val_mae/);
    assert.match(await page.getByTestId('test-score').innerText(), /on the test split \(best epoch \d+.*test_mae [\d.]+ vs seasonal naive [\d.]+ \([\d.]+% (better|worse)\)/);
    await page.getByTestId('checkpoint-row').first().waitFor();
    const href = await page.getByTestId('download-checkpoint').first().getAttribute('href');
    const download = await adminFetch(stack.origin + href);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('x-checkpoint-format'), 'simulated/v1');
    assert.ok((await download.arrayBuffer()).byteLength > 0);
    await screenshot(page, 'trial');
  });

  it("shows a classifier's test score against the majority class and its confusion matrix", async () => {
    // The worker's path to these columns is tested end to end in model-export.e2e; here the page shows what the API answers.
    const finished = (await stack.client.listTrials({ id: sweep.id, query: { status: 'completed', limit: 1 } })).items[0];
    const testMetrics = { test_loss: 0.4, test_accuracy: 0.84, test_macro_f1: 0.83, majority_test_accuracy: 0.6, bag_of_chars_test_accuracy: 0.63 };
    const confusion = { classes: ['female', 'male'], counts: [[410, 70], [58, 262]] };
    await stack.db.query(`UPDATE trials SET test_metrics = $2, test_confusion = $3 WHERE id = $1`, [finished.id, testMetrics, confusion]);
    await page.goto(`${stack.origin}/trials/${finished.id}`);
    assert.match(await page.getByTestId('test-score').innerText(), /test_accuracy 0\.84 vs majority class 0\.6 \(60\.0% fewer errors\), bag of characters 0\.63/);
    const rows = await page.getByTestId('confusion-matrix').locator('tbody tr').allInnerTexts();
    assert.deepEqual(rows.map((row) => row.split(/\s+/)), [['female', '410', '70'], ['male', '58', '262']]);
    assert.deepEqual(await page.getByTestId('confusion-matrix').locator('thead th').allInnerTexts(), ['', 'predicted female', 'predicted male']);
    await screenshot(page, 'trial-confusion');
  });

  it('shows a pruned trial with its rung', async () => {
    const pruned = await waitFor('a trial was pruned', async () => {
      const trials = await stack.client.listTrials({ id: sweep.id, query: { status: 'pruned', limit: 1 } });
      return trials.items[0];
    });
    await page.goto(`${stack.origin}/trials/${pruned.id}`);
    assert.equal(await page.getByTestId('trial-summary').getByTestId('status-chip').innerText(), `pruned at rung ${pruned.prunedRung}`);
  });

  it('lists the live workers with backend, running trials and heartbeat age', async () => {
    await page.getByRole('link', { name: 'Workers' }).click();
    await waitFor('both workers are listed', async () => (await page.getByTestId('worker-row').count()) === 2, TIMEOUT);
    const rows = await page.getByTestId('worker-row').allInnerTexts();
    assert.ok(rows.every((r) => /simulated|wasm|cpu|tensorflow/.test(r)), rows.join('\n'));
    const ages = (await page.getByTestId('heartbeat-age').allInnerTexts()).map((t) => Number.parseInt(t, 10));
    assert.ok(ages.every((a) => a >= 0 && a < 10), `heartbeat ages ${ages}`);
    await screenshot(page, 'workers');
  });

  it('shows a not-found page for an unknown sweep, trial or in-app path; the server answers other paths 404', async () => {
    await page.goto(`${stack.origin}/sweeps/00000000-0000-4000-8000-000000000000`);
    assert.match(await page.getByTestId('not-found').innerText(), /no sweep with id 00000000-0000-4000-8000-000000000000/);
    await screenshot(page, 'not-found');
    await page.goto(`${stack.origin}/trials/not-an-id`);
    assert.match(await page.getByTestId('not-found').innerText(), /no trial with id not-an-id/);
    // A path that is no page of the dashboard is the server's 404, never the app (DASHBOARD_PAGES) ...
    const unknown = await page.goto(`${stack.origin}/no/such/page`);
    assert.equal(unknown?.status(), 404);
    // ... and inside the app, navigating to one shows the not-found page.
    await page.goto(`${stack.origin}/workers`);
    // (runs in the page: a string, since the tests' TypeScript has no DOM types)
    await page.evaluate("history.pushState(null, '', '/no/such/page'); dispatchEvent(new PopStateEvent('popstate'))");
    await page.getByTestId('not-found').waitFor();
  });

  it('cancels a sweep from the UI after confirming; Back leaves it running', async () => {
    // A sweep of its own that cannot have finished by now, however fast the tests before ran.
    const running = await stack.submit({ ...watchedSweep(), name: 'dashboard-e2e-to-cancel', budget: { maxTrials: 1_000, maxConcurrent: 2, maxEpochsPerTrial: 20 } });
    await page.goto(`${stack.origin}/sweeps/${running.id}`);
    await page.getByTestId('action-cancel').click();
    await page.getByRole('dialog', { name: 'Cancel this sweep?' }).getByRole('button', { name: 'Back' }).click();
    assert.equal((await stack.client.getSweep({ id: running.id })).status, 'running');
    await page.getByTestId('action-cancel').click();
    await page.getByRole('dialog', { name: 'Cancel this sweep?' }).getByRole('button', { name: 'Cancel the sweep' }).click();
    await page.locator('[data-testid="sweep-page"][data-sweep-status="cancelled"]').waitFor();
    assert.equal((await stack.client.getSweep({ id: running.id })).status, 'cancelled');
    assert.equal(await page.getByTestId('action-pause').count(), 0);
  });

  it('shows why a failed sweep failed', async () => {
    const failing = await stack.submit({ ...watchedSweep(), name: 'dashboard-e2e-failing', budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 20 } });
    // Its trial fails as a worker records a failure (taking it over from a worker that claimed it first); the resume's top-up ends the sweep.
    await stack.client.pauseSweep({ id: failing.id });
    await endActiveTrials(await stack.stores(), failing.id, { status: 'failed' });
    await stack.client.resumeSweep({ id: failing.id });
    await page.goto(`${stack.origin}/sweeps/${failing.id}`);
    await page.locator('[data-testid="sweep-page"][data-sweep-status="failed"]').waitFor();
    assert.equal(await page.getByTestId('sweep-status-reason').innerText(), 'its only trial failed (trial 0: failed by the test)');
  });

  it('raised no errors in the page, other than the failed requests while the coordinator was down', () => {
    const unexpected = pageErrors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|404 \(Not Found\)|status of 404/.test(e));
    assert.deepEqual(unexpected, []);
  });
});

async function waitForText(page: Page, selector: string, ok: (texts: string[]) => boolean): Promise<void> {
  await waitFor(`${selector} shows the expected text`, async () => ok(await page.locator(selector).allInnerTexts()), TIMEOUT);
}

async function waitForAttribute(page: Page, selector: string, name: string, ok: (value: string | null) => boolean): Promise<void> {
  await waitFor(`${selector} has ${name} as expected`, async () => ok(await page.locator(selector).first().getAttribute(name)), TIMEOUT);
}
