import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorBodySchema, SWEEP_STATUSES, TRIAL_STATUSES, type SweepDto } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { adminFetch, aParsedSweepSpec, endActiveTrials, endTrials, scrapeMetrics, seedSweep, trialsOfSweep, type PrometheusText } from '@tuneforge/testing';
import { SweepScheduler } from '../src/sweeps/sweep-scheduler.service';
import { aSweepSpec } from './support/sweep-specs';
import { startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';

describe('GET /metrics (coordinator)', () => {
  let coordinator: TestCoordinator;
  let stores: Stores;
  const scrape = (): Promise<PrometheusText> => scrapeMetrics(`${coordinator.baseUrl}/metrics`, METRICS_TOKEN);

  before(async () => {
    coordinator = await startTestCoordinator('metrics_api', { metricsToken: METRICS_TOKEN });
    stores = coordinator.app.get(Stores);
  });
  after(() => coordinator?.close());

  it('refuses a scrape without the METRICS_TOKEN bearer: 401 UNAUTHENTICATED, naming what is missing', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /^no Authorization header: GET \/metrics needs Authorization: Bearer <METRICS_TOKEN>$/],
      [{ authorization: 'Bearer not-the-metrics-token-0123456789' }, /^the bearer token is not this deployment's METRICS_TOKEN/],
      [{ authorization: `Basic ${METRICS_TOKEN}` }, /METRICS_TOKEN/],
      [{ authorization: `Bearer ${METRICS_TOKEN} extra` }, /METRICS_TOKEN/],
    ];
    for (const [headers, message] of cases) {
      const response = await fetch(`${coordinator.baseUrl}/metrics`, { headers });
      assert.equal(response.status, 401, JSON.stringify(headers));
      assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="tuneforge"');
      const body = ErrorBodySchema.parse(await response.json());
      assert.equal(body.code, 'UNAUTHENTICATED');
      assert.match(body.message, message);
    }
    // An API token, even the administrator's, is not the metrics token.
    assert.equal((await adminFetch(`${coordinator.baseUrl}/metrics`)).status, 401);
  });

  it('answers Prometheus text with the named series, every status and queue state present', async () => {
    const metrics = await scrape();
    for (const [name, type] of [
      ['tuneforge_http_requests_total', 'counter'],
      ['tuneforge_http_request_duration_seconds', 'histogram'],
      ['tuneforge_top_up_duration_seconds', 'histogram'],
      ['tuneforge_reconcile_pass_duration_seconds', 'histogram'],
      ['tuneforge_sweeps', 'gauge'],
      ['tuneforge_trials', 'gauge'],
      ['tuneforge_trials_stranded', 'gauge'],
      ['tuneforge_trial_queue_jobs', 'gauge'],
      ['tuneforge_scrape_source_up', 'gauge'],
      ['process_cpu_seconds_total', 'counter'],
      ['nodejs_eventloop_lag_p99_seconds', 'gauge'],
    ] as const) {
      assert.equal(metrics.families.get(name)?.type, type, name);
    }
    for (const status of SWEEP_STATUSES) assert.equal(metrics.series('tuneforge_sweeps', { status }).length, 1, status);
    for (const status of TRIAL_STATUSES) assert.equal(metrics.series('tuneforge_trials', { status }).length, 1, status);
    for (const state of ['waiting', 'active', 'delayed', 'failed']) assert.equal(metrics.series('tuneforge_trial_queue_jobs', { state }).length, 1, state);
    assert.equal(metrics.value('tuneforge_scrape_source_up', { source: 'postgresql' }), 1);
    assert.equal(metrics.value('tuneforge_scrape_source_up', { source: 'redis' }), 1);
    assert.ok(metrics.value('tuneforge_reconcile_pass_duration_seconds_count') >= 1, 'the start-up reconcile pass is timed');
  });

  it('counts requests by route template and status, never by raw URL', async () => {
    const { body: created } = await post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'metrics-requests' }));
    const before = await scrape();
    const route = '/api/v1/sweeps/:id';
    for (let i = 0; i < 3; i++) assert.equal((await adminFetch(`${coordinator.baseUrl}/api/v1/sweeps/${created.id}`)).status, 200);
    assert.equal((await adminFetch(`${coordinator.baseUrl}/api/v1/sweeps/00000000-0000-4000-8000-00000000dead`)).status, 404);
    assert.equal((await fetch(`${coordinator.baseUrl}/api/v1/sweeps/${created.id}`)).status, 401);
    assert.equal((await adminFetch(`${coordinator.baseUrl}/api/v1/no-such-endpoint/${created.id}`)).status, 404);
    const after = await scrape();
    const moved = (labels: Record<string, string>) => after.sum('tuneforge_http_requests_total', labels) - before.sum('tuneforge_http_requests_total', labels);
    assert.equal(moved({ method: 'GET', route, status: '200' }), 3);
    assert.equal(moved({ method: 'GET', route, status: '404' }), 1);
    assert.equal(moved({ method: 'GET', route, status: '401' }), 1);
    assert.equal(moved({ method: 'GET', route: '(unmatched)', status: '404' }), 1);
    assert.equal(moved({ method: 'GET', route: '/metrics', status: '200' }), 1, 'the scrape before counts itself');
    assert.equal(after.value('tuneforge_http_request_duration_seconds_count', { method: 'GET', route }) - before.sum('tuneforge_http_request_duration_seconds_count', { method: 'GET', route }), 5);
    const text = await (await fetch(`${coordinator.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    assert.ok(!text.includes(created.id), 'no label carries an id');
    assert.ok(!text.includes('metrics-requests'), 'no label carries a name');
    assert.ok(!text.includes(METRICS_TOKEN), 'the token is not in the answer');
    const routes = new Set(after.series('tuneforge_http_requests_total').map((s) => s.labels.route));
    for (const label of routes) assert.match(label, /^(\/[a-z0-9/:_-]*|\([a-z ,]+\))$/i, `route label ${label}`);
  });

  it('counts sweeps and trials by status as they move, also past the counts it keeps for finished sweeps', async () => {
    const base = await scrape();
    const delta = (now: PrometheusText, name: string, status: string) => now.value(name, { status }) - base.value(name, { status });
    const { sweep, trials } = await seedSweep(stores, { spec: aParsedSweepSpec({ name: 'metrics-counts', budget: { maxTrials: 8, maxConcurrent: 4, maxEpochsPerTrial: 1 } }), trials: 4 });
    let now = await scrape();
    assert.equal(delta(now, 'tuneforge_sweeps', 'running'), 1);
    assert.equal(delta(now, 'tuneforge_trials', 'queued'), 4);

    await endTrials(stores, trials.slice(0, 3), { status: 'completed', bestMetric: 0.5 });
    await endTrials(stores, trials.slice(3), { status: 'pruned', bestMetric: 0.9 });
    now = await scrape(); // no active trial now: these counts are kept and not read again while trials_created stays
    assert.deepEqual([delta(now, 'tuneforge_trials', 'queued'), delta(now, 'tuneforge_trials', 'completed'), delta(now, 'tuneforge_trials', 'pruned')], [0, 3, 1]);
    now = await scrape();
    assert.deepEqual([delta(now, 'tuneforge_trials', 'completed'), delta(now, 'tuneforge_trials', 'pruned')], [3, 1], 'kept counts add up the same');

    // New trials raise trials_created: the sweep is counted again.
    await coordinator.app.get(SweepScheduler).topUp(sweep.id);
    now = await scrape();
    assert.deepEqual([delta(now, 'tuneforge_trials', 'queued'), delta(now, 'tuneforge_trials', 'completed')], [4, 3]);
    await endActiveTrials(stores, sweep.id, { status: 'failed' });
    await coordinator.app.get(SweepScheduler).topUp(sweep.id); // all 8 ended: the sweep completes
    now = await scrape();
    assert.equal(delta(now, 'tuneforge_sweeps', 'running'), 0);
    assert.equal(delta(now, 'tuneforge_sweeps', 'completed'), 1);
    assert.deepEqual([delta(now, 'tuneforge_trials', 'queued'), delta(now, 'tuneforge_trials', 'failed')], [0, 4]);
    assert.ok(now.value('tuneforge_top_up_duration_seconds_count') >= base.value('tuneforge_top_up_duration_seconds_count') + 2);
    assert.equal((await trialsOfSweep(stores, sweep.id)).length, 8);

    // A deleted sweep drops out of the counts, kept ones included.
    assert.equal((await adminFetch(`${coordinator.baseUrl}/api/v1/sweeps/${sweep.id}`, { method: 'DELETE' })).status, 204);
    now = await scrape();
    assert.deepEqual([delta(now, 'tuneforge_sweeps', 'completed'), delta(now, 'tuneforge_trials', 'completed'), delta(now, 'tuneforge_trials', 'failed')], [0, 0, 0]);
  });

  it("reports the trial queue's jobs by state", async () => {
    const before = await scrape();
    await coordinator.queue.add('train-trial', { sweepId: 'x', trialId: 'y' }, { jobId: 'metrics-waiting-job' });
    await coordinator.queue.add('train-trial', { sweepId: 'x', trialId: 'z' }, { jobId: 'metrics-delayed-job', delay: 60_000 });
    const after = await scrape();
    assert.equal(after.value('tuneforge_trial_queue_jobs', { state: 'waiting' }) - before.value('tuneforge_trial_queue_jobs', { state: 'waiting' }), 1);
    assert.equal(after.value('tuneforge_trial_queue_jobs', { state: 'delayed' }) - before.value('tuneforge_trial_queue_jobs', { state: 'delayed' }), 1);
    await coordinator.queue.remove('metrics-waiting-job');
    await coordinator.queue.remove('metrics-delayed-job');
  });

  async function post<T>(path: string, body: unknown): Promise<{ status: number; body: T }> {
    const response = await adminFetch(`${coordinator.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as T };
  }
});
