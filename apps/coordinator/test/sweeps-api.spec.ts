import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { trialJobOptions, type Page, type SweepDto, type TrialDto } from '@tuneforge/contracts';
import { Stores, SweepEntity, TrialEntity, type ClaimedTrial } from '@tuneforge/persistence';
import { adminFetch, seedMetricPoints, seedRun } from '@tuneforge/testing';
import { TrialDispatcher } from '../src/queue/trial-dispatcher.service';
import { aSweepSpec, BIRTHS_SWEEP_YAML } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

describe('sweeps API', () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let stores: Stores;

  const rowCounts = async () => ({
    sweeps: await stores.manager.count(SweepEntity),
    trials: await stores.manager.count(TrialEntity),
    jobs: await coordinator.queue.count(),
  });

  before(async () => {
    coordinator = await startTestCoordinator('sweeps_api');
    api = apiClient(coordinator.baseUrl);
    stores = coordinator.app.get(Stores);
  });
  after(() => coordinator.close());

  it('creates a sweep from YAML with its first maxConcurrent trials queued as id-only jobs', async () => {
    const { status, body: sweep, headers } = await api.post<SweepDto>('/api/v1/sweeps', BIRTHS_SWEEP_YAML);
    assert.equal(status, 201);
    assert.equal(headers.get('location'), `/api/v1/sweeps/${sweep.id}`);
    assert.equal(sweep.status, 'running');
    assert.equal(sweep.plannedTrials, 10);
    assert.equal(sweep.trialsCreated, 2);
    assert.equal(sweep.trialCounts.queued, 2);
    assert.equal(sweep.seed, 42);

    const trials = await coordinator.client.listTrials({ id: sweep.id, query: { sort: 'number' } });
    assert.deepEqual(trials.items.map((t) => t.number), [0, 1]);
    for (const trial of trials.items) {
      const job = await coordinator.queue.getJob(trial.id);
      assert.ok(job, `trial ${trial.number} has a job`);
      assert.deepEqual(job.data, { sweepId: sweep.id, trialId: trial.id });
      assert.equal(job.name, 'train-trial');
      const { jobId, attempts, backoff, removeOnComplete, removeOnFail } = job.opts;
      assert.deepEqual({ jobId, attempts, backoff, removeOnComplete, removeOnFail }, trialJobOptions(trial.id));
      assert.equal(trial.status, 'queued');
      const units = trial.config.hyperparameters.hiddenUnits as number;
      assert.ok(units >= 8 && units <= 48);
      assert.equal(trial.config.dataset.window, 14);
    }
  });

  it('accepts the same spec as JSON', async () => {
    const { status, body } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'json-sweep' }));
    assert.equal(status, 201);
    assert.equal(body.name, 'json-sweep');
  });

  it('gives the same trial configs and seeds for the same spec and seed', async () => {
    const spec = aSweepSpec({ name: 'repeatable', seed: 7, budget: { maxTrials: 10, maxConcurrent: 10, maxEpochsPerTrial: 5 } });
    const configsOf = async (id: string) =>
      (await coordinator.client.listTrials({ id, query: { sort: 'number' } })).items.map((t) => ({ seed: t.seed, config: t.config }));
    const first = await api.post<SweepDto>('/api/v1/sweeps', spec);
    const second = await api.post<SweepDto>('/api/v1/sweeps', spec);
    const other = await api.post<SweepDto>('/api/v1/sweeps', { ...spec, seed: 8 });
    assert.notEqual(first.body.id, second.body.id);
    assert.deepEqual(await configsOf(first.body.id), await configsOf(second.body.id));
    assert.notDeepEqual(await configsOf(first.body.id), await configsOf(other.body.id));
    assert.equal(new Set((await configsOf(first.body.id)).map((t) => t.seed)).size, 10);
  });

  it('creates trials of a conditional space: one unit count per layer, recurrent dropout only with dropout', async () => {
    const { status, body: sweep } = await api.post<SweepDto>(
      '/api/v1/sweeps',
      aSweepSpec({
        name: 'conditional',
        searchSpace: {
          layers: { type: 'choice', values: [1, 2, 3] },
          hiddenUnits: { type: 'perLayer', item: { type: 'int', min: 8, max: 64, log: true } },
          dropout: { type: 'choice', values: [0, 0.3] },
          recurrentDropout: { type: 'float', min: 0.05, max: 0.3, when: { dropout: { gt: 0 } } },
        },
        algorithm: { type: 'tpe', startupTrials: 4 },
        budget: { maxTrials: 30, maxConcurrent: 30, maxEpochsPerTrial: 2 },
      }),
    );
    assert.equal(status, 201, JSON.stringify(sweep));
    const trials = (await coordinator.client.listTrials({ id: sweep.id, query: { limit: 30 } })).items;
    assert.equal(trials.length, 30);
    for (const { config } of trials) {
      const units = config.hyperparameters.hiddenUnits as number[];
      assert.equal(units.length, config.hyperparameters.layers);
      assert.ok(units.every((u) => u >= 8 && u <= 64));
      if (config.hyperparameters.dropout === 0) assert.equal(config.hyperparameters.recurrentDropout, 0);
      else assert.ok((config.hyperparameters.recurrentDropout as number) >= 0.05);
    }
    assert.ok(new Set(trials.map((t) => t.config.hyperparameters.layers)).size === 3);
  });

  it('picks and records a seed when the spec has none', async () => {
    const { seed: _seed, ...spec } = aSweepSpec({ name: 'unseeded' });
    const { body } = await api.post<SweepDto>('/api/v1/sweeps', spec);
    assert.ok(Number.isInteger(body.seed));
    assert.equal(body.spec.seed, body.seed);
  });

  it('returns the first sweep for a repeated Idempotency-Key and makes no new trials or jobs', async () => {
    const headers = { 'idempotency-key': 'submit-births-1' };
    const first = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'idempotent' }), headers);
    const before = await rowCounts();
    const again = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'idempotent' }), headers);
    assert.equal(first.status, 201);
    assert.equal(again.status, 200);
    assert.equal(again.body.id, first.body.id);
    assert.deepEqual(await rowCounts(), before);

    const conflict = await api.post('/api/v1/sweeps', aSweepSpec({ name: 'something else' }), headers);
    assert.equal(conflict.status, 409);
    assert.match(conflict.body.message, /Idempotency-Key 'submit-births-1' was already used/);
  });

  it('never duplicates a job when enqueueing is retried', async () => {
    const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'retried-enqueue' }));
    const trials = (await api.get<Page<TrialDto>>(`/api/v1/sweeps/${sweep.id}/trials`)).body.items;
    const jobsBefore = await coordinator.queue.count();
    const dispatcher = coordinator.app.get(TrialDispatcher);
    await dispatcher.enqueue(trials.map((t) => ({ id: t.id, sweepId: sweep.id })));
    await Promise.all([dispatcher.enqueue(trials.map((t) => ({ id: t.id, sweepId: sweep.id }))), dispatcher.enqueuePending()]);
    assert.equal(await coordinator.queue.count(), jobsBefore);
  });

  it('enqueues trials whose job was lost between commit and enqueue', async () => {
    const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'lost-jobs' }));
    const trials = (await api.get<Page<TrialDto>>(`/api/v1/sweeps/${sweep.id}/trials`)).body.items;
    await Promise.all(trials.map((t) => coordinator.queue.remove(t.id)));
    for (const trial of trials) await stores.trials.markNotEnqueued(trial.id);
    const enqueued = await coordinator.app.get(TrialDispatcher).enqueuePending();
    assert.equal(enqueued, 4);
    for (const trial of trials) assert.ok(await coordinator.queue.getJob(trial.id));
  });

  describe('bad input', () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['a wrong type', { ...aSweepSpec(), name: 5 }, 'name', /string/],
      ['min > max', aSweepSpec({ searchSpace: { hiddenUnits: { type: 'int', min: 64, max: 8 } } }), 'searchSpace.hiddenUnits.min', /must be <= max/],
      ['an empty choice', aSweepSpec({ searchSpace: { layers: { type: 'choice', values: [] } } }), 'searchSpace.layers.values', /at least one/],
      ['an unknown algorithm', { ...aSweepSpec(), algorithm: { type: 'bayes' } }, 'algorithm.type', /'grid' \| 'random' \| 'tpe'/],
      ['an unknown algorithm option', { ...aSweepSpec(), algorithm: { type: 'tpe', gamma: 0.2 } }, 'algorithm.gamma', /unknown field/],
      ['TPE on an empty space', { ...aSweepSpec(), searchSpace: { hiddenUnits: 32 }, algorithm: { type: 'tpe' } }, 'searchSpace', /TPE needs at least one search dimension/],
      ['a reductionFactor below 2', { ...aSweepSpec(), earlyStopping: { type: 'asha', reductionFactor: 1 } }, 'earlyStopping.reductionFactor', />=2/],
      ['minEpochs above maxEpochs', { ...aSweepSpec(), earlyStopping: { type: 'asha', minEpochs: 30 } }, 'earlyStopping.minEpochs', /must be <= maxEpochs \(20\)/],
      ['a negative budget', aSweepSpec({ budget: { maxTrials: -5, maxConcurrent: 1, maxEpochsPerTrial: 1 } }), 'budget.maxTrials', />=1/],
      ['an unknown field', { ...aSweepSpec(), priority: 'high' }, 'priority', /unknown field/],
      [
        'a grid of 10^12 points',
        aSweepSpec({
          algorithm: { type: 'grid' },
          searchSpace: {
            hiddenUnits: { type: 'int', min: 1, max: 1000 },
            batchSize: { type: 'int', min: 1, max: 1000 },
            dropout: { type: 'float', min: 0, max: 0.9, step: 0.0009 },
            learningRate: { type: 'float', min: 0.001, max: 1, step: 0.000999 },
          },
        }),
        'budget.maxTrials',
        /the grid has 1\.00e\+12 points but budget.maxTrials is 20/,
      ],
      ['a float grid dimension without a step', aSweepSpec({ algorithm: { type: 'grid' } }), 'searchSpace.dropout', /needs a step/],
    ];
    for (const [what, spec, path, message] of cases) {
      it(`answers 400 naming the field for ${what}, and writes nothing`, async () => {
        const before = await rowCounts();
        const { status, body } = await api.post('/api/v1/sweeps', spec);
        assert.equal(status, 400);
        assert.ok(
          body.issues.some((issue: { path: string; message: string }) => issue.path === path && message.test(issue.message)),
          `expected an issue at ${path}: ${JSON.stringify(body.issues)}`,
        );
        assert.deepEqual(await rowCounts(), before);
      });
    }

    it('answers 400 for NaN and Infinity in YAML', async () => {
      const { status, body } = await api.post('/api/v1/sweeps', BIRTHS_SWEEP_YAML.replace('max: 0.3', 'max: .inf').replace('min: 0.002', 'min: .nan'));
      assert.equal(status, 400);
      assert.deepEqual(body.issues.map((i: { path: string }) => i.path).sort(), ['searchSpace.dropout.max', 'searchSpace.learningRate.min']);
    });

    it('answers 400 for malformed JSON and for YAML with a syntax error', async () => {
      const json = await api.request('POST', '/api/v1/sweeps', undefined, { 'content-type': 'application/json' });
      assert.equal(json.status, 400);
      const broken = await adminFetch(`${coordinator.baseUrl}/api/v1/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name": ' });
      assert.equal(broken.status, 400);
      assert.match(((await broken.json()) as { message: string }).message, /not valid JSON/);
      const yaml = await api.post('/api/v1/sweeps', 'name: [unclosed\nmodel: lstm\n');
      assert.equal(yaml.status, 400);
      assert.match(yaml.body.issues[0].message, /line \d+/);
    });

    it('answers 413 for a 5 MB body, writes nothing, and keeps serving', async () => {
      const before = await rowCounts();
      const huge = { ...aSweepSpec(), description: 'x'.repeat(5 * 1024 * 1024) };
      const { status, body } = await api.post('/api/v1/sweeps', huge);
      assert.equal(status, 413);
      assert.match(body.message, /larger than the 1048576 byte limit/);
      assert.deepEqual(await rowCounts(), before);
      assert.equal((await api.get('/api/v1/health')).status, 200);
    });

    it('answers 400 for a bad Idempotency-Key and for unknown query parameters', async () => {
      const key = await api.post('/api/v1/sweeps', aSweepSpec(), { 'idempotency-key': 'x'.repeat(201) });
      assert.equal(key.status, 400);
      const query = await api.get('/api/v1/sweeps?limit=0&colour=red');
      assert.equal(query.status, 400);
      assert.deepEqual(query.body.issues.map((i: { path: string }) => i.path).sort(), ['query.colour', 'query.limit']);
    });

    it('answers 404 for unknown ids, well-formed or not', async () => {
      for (const path of [
        '/api/v1/sweeps/3f8e9a9e-8f5d-4c59-9d0a-1d9d2c7b0000',
        '/api/v1/sweeps/not-a-uuid',
        '/api/v1/sweeps/3f8e9a9e-8f5d-4c59-9d0a-1d9d2c7b0000/trials',
        '/api/v1/trials/3f8e9a9e-8f5d-4c59-9d0a-1d9d2c7b0000',
        '/api/v1/trials/42/metrics',
      ]) {
        const { status, body } = await api.get(path);
        assert.equal(status, 404, path);
        assert.match(body.message, /not found/);
      }
      assert.equal((await api.post('/api/v1/sweeps/3f8e9a9e-8f5d-4c59-9d0a-1d9d2c7b0000/cancel')).status, 404);
    });
  });

  describe('reading sweeps and trials', () => {
    let sweep: SweepDto;
    let trials: TrialDto[];
    /** The run of trial 2, still running: the one whose points may still be written. */
    let running: ClaimedTrial;

    before(async () => {
      sweep = (await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'leaderboard', budget: { maxTrials: 6, maxConcurrent: 6, maxEpochsPerTrial: 3 } }))).body;
      trials = (await api.get<Page<TrialDto>>(`/api/v1/sweeps/${sweep.id}/trials?sort=number`)).body.items;
      const results = [0.5, 0.2, null, 0.9, 0.1, 0.3];
      const points = [
        { epoch: 1, name: 'loss', value: 1.0 },
        { epoch: 2, name: 'loss', value: 0.8 },
        { epoch: 1, name: 'val_loss', value: 0.9 },
        { epoch: 2, name: 'val_loss', value: 0.7 },
      ];
      for (const [i, value] of results.entries()) {
        // Trial 0 (completed) and trial 2 (still running, unscored) reported the same points.
        const run = await seedRun(stores, trials[i], { points: i === 0 || i === 2 ? points : [], end: value === null ? undefined : { status: 'completed', bestMetric: value } });
        if (value === null) running = run;
      }
    });

    it('lists trials best objective first, unscored last, paged', async () => {
      const page1 = (await api.get<Page<TrialDto>>(`/api/v1/sweeps/${sweep.id}/trials?limit=4`)).body;
      assert.equal(page1.total, 6);
      assert.deepEqual(page1.items.map((t) => t.bestMetric), [0.1, 0.2, 0.3, 0.5]);
      const page2 = (await api.get<Page<TrialDto>>(`/api/v1/sweeps/${sweep.id}/trials?limit=4&offset=4`)).body;
      assert.deepEqual(page2.items.map((t) => t.bestMetric), [0.9, null]);
      const worstFirst = (await api.get<Page<TrialDto>>(`/api/v1/sweeps/${sweep.id}/trials?order=desc&limit=2`)).body;
      assert.deepEqual(worstFirst.items.map((t) => t.bestMetric), [0.9, 0.5]);
      const running = (await api.get<Page<TrialDto>>(`/api/v1/sweeps/${sweep.id}/trials?status=running`)).body;
      assert.deepEqual(running.items.map((t) => t.number), [2]);
    });

    it('reports trial counts and the best trial on the sweep', async () => {
      const { body } = await api.get<SweepDto>(`/api/v1/sweeps/${sweep.id}`);
      assert.deepEqual(body.best, { trialId: trials[4].id, value: 0.1, testMetrics: null });
      assert.equal(body.trialCounts.completed, 5);
      assert.equal(body.trialCounts.running, 1);
      assert.equal(body.trialCounts.total, 6);
    });

    it('lists sweeps newest first, paged and filtered by status', async () => {
      const { body } = await api.get<Page<SweepDto>>('/api/v1/sweeps?limit=2');
      assert.equal(body.items.length, 2);
      assert.equal(body.items[0].id, sweep.id);
      assert.ok(body.total >= 6);
      const rest = await api.get<Page<SweepDto>>(`/api/v1/sweeps?limit=500&offset=2`);
      assert.equal(rest.body.items.length, body.total - 2);
      const cancelled = await api.get<Page<SweepDto>>('/api/v1/sweeps?status=cancelled');
      assert.ok(cancelled.body.items.every((s) => s.status === 'cancelled'));
    });

    it('returns one trial and its metrics per epoch, optionally filtered by name', async () => {
      const trial = await api.get<TrialDto>(`/api/v1/trials/${trials[0].id}`);
      assert.equal(trial.status, 200);
      assert.equal(trial.body.sweepId, sweep.id);
      const all = await api.get(`/api/v1/trials/${trials[0].id}/metrics`);
      assert.deepEqual(all.body.metrics, { loss: { epochs: [1, 2], values: [1.0, 0.8] }, val_loss: { epochs: [1, 2], values: [0.9, 0.7] } });
      const some = await api.get(`/api/v1/trials/${trials[0].id}/metrics?names=val_loss`);
      assert.deepEqual(Object.keys(some.body.metrics), ['val_loss']);
    });

    it('overwrites a replayed epoch instead of duplicating it', async () => {
      // A running trial's (a completed trial's late points are dropped).
      await seedMetricPoints(stores, running, [{ epoch: 2, name: 'loss', value: 0.75 }]);
      const { body } = await api.get(`/api/v1/trials/${running.id}/metrics?names=loss`);
      assert.deepEqual(body.metrics.loss, { epochs: [1, 2], values: [1.0, 0.75] });
    });
  });

  describe('cancel', () => {
    it('cancels queued trials, removes their waiting jobs, and refuses a second cancel', async () => {
      const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'to-cancel' }));
      const trials = (await api.get<Page<TrialDto>>(`/api/v1/sweeps/${sweep.id}/trials`)).body.items;
      const { status, body } = await api.post(`/api/v1/sweeps/${sweep.id}/cancel`);
      assert.equal(status, 200);
      assert.equal(body.cancelledTrials, 4);
      assert.equal(body.removedJobs, 4);
      assert.equal(body.sweep.status, 'cancelled');
      assert.equal(body.sweep.trialCounts.cancelled, 4);
      for (const trial of trials) assert.equal(await coordinator.queue.getJob(trial.id), undefined);
      const after = (await api.get<Page<TrialDto>>(`/api/v1/sweeps/${sweep.id}/trials`)).body.items;
      assert.ok(after.every((t) => t.status === 'cancelled' && t.statusReason === 'sweep cancelled'));

      const again = await api.post(`/api/v1/sweeps/${sweep.id}/cancel`);
      assert.equal(again.status, 409);
      assert.match(again.body.message, /already cancelled/);
    });
  });

  it('serves the OpenAPI document with the sweep spec schema, and Swagger UI', async () => {
    const { status, body } = await api.get('/api/docs-json');
    assert.equal(status, 200);
    assert.ok(body.paths['/api/v1/sweeps'].post);
    assert.ok(body.paths['/api/v1/sweeps/{id}/trials'].get);
    assert.ok(body.paths['/api/v1/health'].get);
    assert.deepEqual(body.components.schemas.SweepSpec.required.sort(), ['algorithm', 'budget', 'dataset', 'model', 'name', 'objective']);
    const ui = await adminFetch(`${coordinator.baseUrl}/api/docs`);
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /swagger/i);
  });
});
