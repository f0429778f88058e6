import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { SweepDto, SweepSpecInput } from '@tuneforge/contracts';
import { TEST_ADMIN_TOKEN, waitFor } from '@tuneforge/testing';
import { collectPageErrors, launchChromium, screenshot } from './support/browser';
import { E2eStack } from './support/e2e-stack';

const TIMEOUT = 30_000;

/** Simulated trials over every kind of dimension (log int, linear int, float, log float, choice), two objectives for a Pareto front. */
function decidingSweep(): SweepSpecInput {
  return {
    name: 'dashboard-views',
    dataset: { source: 'builtin', name: 'us-births-1969-1988', window: 14, horizon: 1, validationSplit: 0.2 },
    model: 'simulated',
    objective: { metric: 'val_mae', direction: 'minimize' },
    searchSpace: {
      hiddenUnits: { type: 'int', min: 8, max: 128, log: true },
      batchSize: { type: 'int', min: 16, max: 250 },
      dropout: { type: 'float', min: 0, max: 0.5 },
      learningRate: { type: 'float', min: 0.0001, max: 0.05, log: true },
      cell: { type: 'choice', values: ['lstm', 'gru', 'rnn'] },
      layers: 1,
    },
    algorithm: { type: 'random' },
    budget: { maxTrials: 5000, maxConcurrent: 4, maxEpochsPerTrial: 6 },
    paretoObjectives: [
      { metric: 'val_mae', direction: 'minimize' },
      { metric: 'param_count', direction: 'minimize' },
    ],
    seed: 21,
  };
}

/** The three ways a person looks at the dashboard: a desktop, a phone, a desktop in dark mode. */
const VIEWS = [
  { name: 'desktop', viewport: { width: 1440, height: 900 }, colorScheme: 'light' },
  { name: 'phone', viewport: { width: 390, height: 844 }, colorScheme: 'light' },
  { name: 'dark', viewport: { width: 1440, height: 900 }, colorScheme: 'dark' },
] as const;

describe('dashboard views for deciding (chromium at desktop and phone widths, light and dark)', () => {
  const stack = new E2eStack('dashboard_views', { EVENTS_HEARTBEAT_MS: '2000' });
  let browser: Browser;
  let sweep: SweepDto;
  let tpe: SweepDto;
  let otherObjective: SweepDto;
  const pages = new Map<string, Page>();
  const pageErrors: string[] = [];

  before(async () => {
    await stack.start();
    stack.startWorker('views-w1', { WORKER_CONCURRENCY: '4', SIMULATED_EPOCH_MS: '60', HEARTBEAT_MS: '1000' });
    sweep = await stack.submit(decidingSweep());
    // Two more to compare with: the same objective by TPE, and another objective that cannot be compared.
    tpe = await stack.submit({ ...decidingSweep(), name: 'dashboard-views-tpe', algorithm: { type: 'tpe' }, budget: { maxTrials: 30, maxConcurrent: 2, maxEpochsPerTrial: 6 } });
    otherObjective = await stack.submit({
      ...decidingSweep(),
      name: 'dashboard-views-loss',
      objective: { metric: 'val_loss', direction: 'minimize' },
      earlyStopping: { type: 'hyperband', minEpochs: 1, reductionFactor: 3 },
      budget: { maxTrials: 17, maxConcurrent: 2, maxEpochsPerTrial: 9 },
    });
    browser = await launchChromium();
    for (const view of VIEWS) {
      const page = await browser.newPage({ viewport: view.viewport, colorScheme: view.colorScheme });
      page.setDefaultTimeout(TIMEOUT);
      const signIn = await page.request.post(`${stack.origin}/api/v1/auth/session`, { data: { token: TEST_ADMIN_TOKEN } });
      assert.equal(signIn.status(), 200, await signIn.text());
      pageErrors.push(...collectPageErrors(page));
      pages.set(view.name, page);
    }
    await waitFor('20 trials have finished', async () => (await stack.client.getSweep({ id: sweep.id })).trialCounts.completed >= 20, 60_000);
  });
  after(async () => {
    await browser?.close();
    await stack.close();
  });

  const view = (name: (typeof VIEWS)[number]['name']) => pages.get(name) as Page;
  const openSweep = async (page: Page, query = '') => {
    await page.goto(`${stack.origin}/sweeps/${sweep.id}${query}`);
    await page.locator('body[data-sweep-ready="true"]').waitFor();
    await waitFor('the charts have drawn', async () => Number(await page.getByTestId('parallel-chart').getAttribute('data-points')) > 0, TIMEOUT);
  };
  const noWiderThanTheScreen = async (page: Page, what: string) => {
    const { scrollWidth, innerWidth } = (await page.evaluate('({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })')) as { scrollWidth: number; innerWidth: number };
    assert.ok(scrollWidth <= innerWidth, `${what} is ${scrollWidth} px wide in a ${innerWidth} px window`);
  };

  it("colours the parallel coordinates from best to worst in the objective's direction: the legend's best end is the best trial's colour", async () => {
    const page = view('desktop');
    await openSweep(page);
    const chart = page.getByTestId('parallel-chart');
    assert.equal(await chart.getAttribute('data-legend-best-end'), 'min', 'val_mae is minimised: its best end is the minimum');
    const legendBest = await chart.getAttribute('data-legend-best-colour');
    const bestTrial = await chart.getAttribute('data-best-trial-colour');
    assert.equal(rgb(bestTrial), rgb(legendBest), `the best trial is drawn ${bestTrial}, the legend's best end is ${legendBest}`);
    await screenshot(page, 'views-desktop-sweep');
  });

  it('draws each hyperparameter on the axis its search space says: log for log dimensions, integer ticks for ints, categories in order; fixed ones as text', async () => {
    const page = view('desktop');
    const axes = JSON.parse((await page.getByTestId('parallel-chart').getAttribute('data-axes')) ?? '[]') as { name: string; type: string; ticks: number[] }[];
    const axis = (name: string) => axes.find((a) => a.name === name);
    assert.equal(axis('hiddenUnits')?.type, 'log');
    assert.equal(axis('learningRate')?.type, 'log');
    assert.equal(axis('dropout')?.type, 'value');
    assert.equal(axis('cell')?.type, 'category');
    const batchTicks = axis('batchSize')?.ticks ?? [];
    assert.ok(batchTicks.length >= 2 && batchTicks.every(Number.isInteger), `batchSize (int) ticks: ${batchTicks.join(', ')}`);
    assert.equal(axis('layers'), undefined, 'a fixed hyperparameter is no axis');
    assert.match(await page.getByTestId('parallel-constants').innerText(), /Fixed: layers 1/);
    assert.match(axes.at(-1)?.name ?? '', /^val_mae \(births\/day\)$/, 'the objective axis has its unit');
  });

  it('gives each of the top 10 curves its own colour, the same as its leaderboard swatch', async () => {
    const page = view('desktop');
    const colours = ((await page.locator('[data-curve-colours]').first().getAttribute('data-curve-colours')) ?? '').split(',');
    assert.equal(colours.length, 10);
    assert.equal(new Set(colours).size, 10, `colours: ${colours.join(' ')}`);
    const firstRow = page.getByTestId('trial-row').first();
    const swatch = await firstRow.getByTestId('trial-swatch').getAttribute('style');
    assert.equal(rgb(swatch), rgb(colours[0]), 'the best trial: the same colour in the table as on the chart');
  });

  it('compares picked trials: their curves overlaid and their configs diffed, kept in the URL with the metric across a reload', async () => {
    const page = view('desktop');
    const rows = page.getByTestId('trial-row');
    await rows.nth(0).getByTestId('compare-trial').check();
    await rows.nth(1).getByTestId('compare-trial').check();
    await page.getByTestId('comparison-card').waitFor();
    await waitFor('both curves are drawn', async () => Number(await page.getByTestId('comparison-chart').getAttribute('data-series')) === 2, TIMEOUT);
    const diffRows = await page.getByTestId('diff-row').evaluateAll((els) => els.map((el) => el.getAttribute('data-parameter')));
    assert.ok(diffRows.includes('hiddenUnits') || diffRows.includes('dropout'), `rows that differ: ${diffRows.join(', ')}`);
    await page.getByTestId('curve-metric').selectOption('val_loss');
    await waitFor('the URL holds the state', async () => /selected=[^&]+%2C|selected=[^&]+,/.test(page.url()) && /metric=val_loss/.test(page.url()), TIMEOUT);
    await page.getByTestId('sort-number').click();
    await waitFor('the sort is in the URL', async () => /sort=number/.test(page.url()), TIMEOUT);
    await screenshot(page, 'views-desktop-compare');
    await page.reload();
    await page.getByTestId('comparison-card').waitFor();
    assert.equal(await page.getByTestId('curve-metric').inputValue(), 'val_loss');
    await waitFor('both picked trials are compared again', async () => Number(await page.getByTestId('comparison-chart').getAttribute('data-series')) === 2, TIMEOUT);
    assert.match(await page.getByTestId('trial-row').first().innerText(), /#0\b/, 'sorted by trial number after the reload');
    await page.getByTestId('clear-selection').click();
    await page.getByTestId('comparison-card').waitFor({ state: 'detached' });
  });

  it("shows the Pareto front of the sweep's two objectives, and the trials' wall times", async () => {
    const page = view('desktop');
    await openSweep(page);
    await waitFor('the front is drawn', async () => Number(await page.getByTestId('pareto-chart').getAttribute('data-points')) > 0, TIMEOUT);
    assert.match(await page.getByTestId('pareto-card').innerText(), /of \d+ finished trials are on the front/);
    const times = await page.getByTestId('trial-wall-time').allInnerTexts();
    assert.ok(times.some((t) => /^[\d.]+ s$/.test(t)), times.join(', '));
  });

  it('says which hyperparameters matter, naming the method, with a slice per hyperparameter and the mean objective over a chosen pair', async () => {
    const page = view('desktop');
    // Drawn once it scrolls near the screen.
    assert.equal(await page.getByTestId('importance-card').count(), 0);
    await page.getByTestId('importance-section').scrollIntoViewIfNeeded();
    const card = page.getByTestId('importance-card');
    await card.waitFor();
    await waitFor('the importance is drawn', async () => Number(await page.getByTestId('importance-chart').getAttribute('data-points')) === 5, TIMEOUT);
    assert.match(await page.getByTestId('importance-method').innerText(), /permutation importance of a random forest on held-out trials: learned from \d+ finished trials, measured on \d+/);
    const slices = await page.getByTestId('slice-plot').evaluateAll((els) => els.map((el) => el.getAttribute('data-parameter')));
    assert.deepEqual([...slices].sort(), ['batchSize', 'cell', 'dropout', 'hiddenUnits', 'learningRate']);
    await waitFor('the pair is drawn', async () => Number(await page.getByTestId('contour-chart').getAttribute('data-points')) > 0, TIMEOUT);
    await page.getByTestId('contour-x').selectOption('cell');
    await page.getByTestId('contour-y').selectOption('dropout');
    await waitFor('the new pair is drawn', async () => Number(await page.getByTestId('contour-chart').getAttribute('data-points')) > 0, TIMEOUT);
    await card.screenshot({ path: 'tmp/screenshots/views-desktop-importance.png' });
  });

  it('compares sweeps with the same objective: best so far against trials and against epochs trained, each best; another objective cannot be picked', async () => {
    const page = view('desktop');
    await waitFor('the TPE sweep has finished trials', async () => (await stack.client.getSweep({ id: tpe.id })).trialCounts.completed >= 5, 60_000);
    await page.goto(`${stack.origin}/sweeps/${sweep.id}`);
    await page.getByTestId('compare-link').click();
    await page.getByTestId('compare-page').waitFor();
    const row = (id: string) => page.locator(`[data-testid="compare-sweep-row"][data-sweep-id="${id}"]`);
    assert.equal(await row(sweep.id).getByTestId('compare-sweep').isChecked(), true, 'the sweep it came from is picked');
    assert.equal(await row(otherObjective.id).getByTestId('compare-sweep').isDisabled(), true, 'val_loss is another objective');
    await row(tpe.id).getByTestId('compare-sweep').check();
    await waitFor('both sweeps are drawn', async () => Number(await page.getByTestId('compare-epochs-chart').getAttribute('data-series')) === 2, TIMEOUT);
    assert.equal(Number(await page.getByTestId('compare-trials-chart').getAttribute('data-series')), 2);
    assert.match(page.url(), new RegExp(`sweeps=${sweep.id}(%2C|,)${tpe.id}`));
    const bests = await page.getByTestId('compare-best-table').locator('tbody tr').allInnerTexts();
    assert.equal(bests.length, 2);
    assert.match(bests[1], /dashboard-views-tpe\s+[\d.]+/);
    await screenshot(page, 'views-desktop-compare-sweeps');
    await page.reload();
    await waitFor('the set survives a reload', async () => Number(await page.getByTestId('compare-epochs-chart').getAttribute('data-series')) === 2, TIMEOUT);
  });

  it("shows a Hyperband sweep's brackets: first rung, rungs, trials and what each stopped", async () => {
    const page = view('desktop');
    await waitFor('the Hyperband sweep has ended', async () => (await stack.client.getSweep({ id: otherObjective.id })).status === 'completed', 60_000);
    await page.goto(`${stack.origin}/sweeps/${otherObjective.id}`);
    await page.getByTestId('brackets-card').waitFor();
    const rows = (await page.getByTestId('bracket-row').allInnerTexts()).map((row) => row.split('\t').map((cell) => cell.trim()));
    // 1 to 9 epochs with eta 3: brackets s = 2, 1, 0 of 9, 5 and 3 trials a round; 17 trials fill one round.
    assert.deepEqual(rows.map((r) => r.slice(0, 5)), [['2', '1', '1, 3', '9', '9'], ['1', '3', '3', '5', '5'], ['0', '9', 'none: runs to the end', '3', '3']]);
    assert.equal(rows[2][5], '0', 'the last bracket stops nothing');
    await page.getByTestId('brackets-card').screenshot({ path: 'tmp/screenshots/views-desktop-brackets.png' });
  });

  it('changes how many trials run at once from the sweep page', async () => {
    await openSweep(view('desktop'));
    const page = view('desktop');
    await page.getByTestId('action-concurrency').click();
    await page.getByTestId('concurrency-input').fill('2');
    await page.getByRole('button', { name: 'Change' }).click();
    await waitFor('the budget says 2 at a time', async () => (await stack.client.getSweep({ id: sweep.id })).spec.budget.maxConcurrent === 2, TIMEOUT);
    await page.getByTestId('action-concurrency').filter({ hasText: '(2)' }).waitFor();
  });

  it('fits a 390 px phone: every page no wider than the screen, tables scrolling inside their cards', async () => {
    const page = view('phone');
    await openSweep(page);
    await noWiderThanTheScreen(page, 'the sweep page');
    await screenshot(page, 'views-phone-sweep');
    const trialId = (await page.getByTestId('trial-row').first().getAttribute('data-trial-id')) as string;
    await page.goto(`${stack.origin}/trials/${trialId}`);
    await page.getByTestId('metric-chart').first().waitFor();
    await noWiderThanTheScreen(page, 'the trial page');
    await screenshot(page, 'views-phone-trial');
    await page.goto(`${stack.origin}/sweeps/${sweep.id}`);
    await page.getByTestId('importance-section').scrollIntoViewIfNeeded();
    await waitFor('the importance is drawn', async () => Number(await page.getByTestId('importance-chart').getAttribute('data-points')) > 0, TIMEOUT);
    await noWiderThanTheScreen(page, 'the sweep page with its importance card');
    await page.getByTestId('importance-card').screenshot({ path: 'tmp/screenshots/views-phone-importance.png' });
    for (const [path, name] of [['/', 'sweeps'], ['/workers', 'workers'], [`/compare?sweeps=${sweep.id},${tpe.id}`, 'compare-sweeps']]) {
      await page.goto(stack.origin + path);
      await page.locator('main .card').first().waitFor();
      if (name === 'compare-sweeps') await waitFor('both sweeps are drawn', async () => Number(await page.getByTestId('compare-epochs-chart').getAttribute('data-series')) === 2, TIMEOUT);
      await noWiderThanTheScreen(page, path);
      await screenshot(page, `views-phone-${name}`);
    }
  });

  it('follows prefers-color-scheme: dark, with dark charts, and the toggle switches a light page to dark and back', async () => {
    const dark = view('dark');
    await openSweep(dark);
    const background = (page: Page) => page.evaluate('getComputedStyle(document.documentElement).backgroundColor') as Promise<string>;
    const light = view('desktop');
    await openSweep(light);
    const lightBackground = await background(light);
    const darkBackground = await background(dark);
    assert.notEqual(darkBackground, lightBackground);
    assert.ok(luminance(darkBackground) < 0.2 && luminance(lightBackground) > 0.8, `${darkBackground} vs ${lightBackground}`);
    assert.equal(await dark.getByTestId('curves-chart').getAttribute('data-theme'), 'dark');
    await screenshot(dark, 'views-dark-sweep');
    const trialId = (await dark.getByTestId('trial-row').first().getAttribute('data-trial-id')) as string;
    await dark.goto(`${stack.origin}/trials/${trialId}`);
    await dark.getByTestId('metric-chart').first().waitFor();
    await screenshot(dark, 'views-dark-trial');
    await dark.goto(`${stack.origin}/compare?sweeps=${sweep.id},${tpe.id}`);
    await waitFor('both sweeps are drawn', async () => Number(await dark.getByTestId('compare-epochs-chart').getAttribute('data-series')) === 2, TIMEOUT);
    assert.equal(await dark.getByTestId('compare-epochs-chart').getAttribute('data-theme'), 'dark');
    await screenshot(dark, 'views-dark-compare-sweeps');

    await light.getByTestId('theme-toggle').selectOption('dark');
    await waitFor('the page turned dark', async () => luminance(await background(light)) < 0.2, TIMEOUT);
    assert.equal(await light.getByTestId('curves-chart').getAttribute('data-theme'), 'dark');
    await light.reload();
    await light.locator('html[data-theme="dark"]').waitFor({ state: 'attached' });
    await light.getByTestId('theme-toggle').selectOption('system');
    await waitFor('back to the system (light) theme', async () => luminance(await background(light)) > 0.8, TIMEOUT);
  });

  it('raised no errors in the pages', async () => {
    await stack.client.cancelSweep({ id: sweep.id });
    assert.deepEqual(
      pageErrors.filter((e) => !/Failed to load resource|404 \(Not Found\)/.test(e)),
      [],
    );
  });
});

/** A CSS colour (#rrggbb, rgb(...) or rgba(...)) as "r,g,b". */
function rgb(colour: string | null | undefined): string {
  if (!colour) return '';
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (hex) return hex.slice(1).map((h) => Number.parseInt(h, 16)).join(',');
  const parts = /rgba?\(([^)]+)\)/.exec(colour)?.[1].split(',').map((p) => Number(p.trim())) ?? [];
  return parts.slice(0, 3).join(',');
}

/** Relative brightness of a CSS colour, 0 (black) to 1 (white). */
function luminance(colour: string): number {
  const [r, g, b] = rgb(colour).split(',').map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}
