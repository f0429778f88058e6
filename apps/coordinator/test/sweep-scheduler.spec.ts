import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isActiveTrial, type SweepDto } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { sampleRandom } from '@tuneforge/search';
import { adminFetch, endActiveTrials, endTrials, trialsOfSweep } from '@tuneforge/testing';
import { loadCoordinatorConfig } from '../src/config/coordinator.config';
import { SweepScheduler } from '../src/sweeps/sweep-scheduler.service';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

describe(SweepScheduler.name, () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let stores: Stores;
  let sut: SweepScheduler;

  /** What workers do when trials end: a claim, then a terminal status and a result in PostgreSQL. */
  const finishActiveTrials = (sweepId: string, limit: number) => endActiveTrials(stores, sweepId, { limit, status: 'completed', bestMetric: () => Math.random() });
  const stateOf = async (sweepId: string) => {
    const sweep = await stores.sweeps.find(sweepId, ['status', 'trialsCreated']);
    assert.ok(sweep, `sweep ${sweepId} exists`);
    const trials = await trialsOfSweep(stores, sweepId);
    return {
      status: sweep.status,
      created: sweep.trialsCreated,
      rows: trials.length,
      active: trials.filter((t) => isActiveTrial(t.status)).length,
      numbers: new Set(trials.map((t) => t.number)).size,
    };
  };
  const hyperparameters = async (sweepId: string) => (await trialsOfSweep(stores, sweepId)).map((t) => ({ hp: t.config.hyperparameters, seed: t.seed }));

  before(async () => {
    coordinator = await startTestCoordinator('scheduler');
    api = apiClient(coordinator.baseUrl);
    stores = coordinator.app.get(Stores);
    sut = coordinator.app.get(SweepScheduler);
  });
  after(() => coordinator.close());

  it('refills free slots as trials end and completes the sweep at exactly maxTrials', async () => {
    const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ budget: { maxTrials: 10, maxConcurrent: 3, maxEpochsPerTrial: 1 } }));
    assert.deepEqual(await stateOf(sweep.id), { status: 'running', created: 3, rows: 3, active: 3, numbers: 3 });
    for (let round = 0; round < 10; round++) {
      await finishActiveTrials(sweep.id, 2);
      await sut.topUp(sweep.id);
      const state = await stateOf(sweep.id);
      assert.ok(state.active <= 3, `never more than maxConcurrent active (${state.active})`);
      assert.ok(state.created <= 10 && state.created === state.rows);
    }
    const end = await stateOf(sweep.id);
    assert.deepEqual(end, { status: 'completed', created: 10, rows: 10, active: 0, numbers: 10 });
    assert.equal((await api.get<SweepDto>(`/api/v1/sweeps/${sweep.id}`)).body.trialCounts.completed, 10);
    assert.equal(await coordinator.queue.count(), 10, 'every created trial got exactly one job');
  });

  it('keeps the budget exact when many top-ups race', async () => {
    const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ budget: { maxTrials: 50, maxConcurrent: 8, maxEpochsPerTrial: 1 } }));
    while ((await stateOf(sweep.id)).status === 'running') {
      await finishActiveTrials(sweep.id, 8);
      await Promise.all([...Array.from({ length: 8 }, () => sut.topUp(sweep.id)), sut.reconcile()]);
      const state = await stateOf(sweep.id);
      assert.ok(state.active <= 8, `active ${state.active} > maxConcurrent`);
      assert.equal(state.created, state.rows);
      assert.equal(state.numbers, state.rows, 'no trial number is used twice');
    }
    assert.deepEqual(await stateOf(sweep.id), { status: 'completed', created: 50, rows: 50, active: 0, numbers: 50 });
  });

  it('runs a grid sweep over exactly its grid, whatever maxTrials allows', async () => {
    const { body: sweep } = await api.post<SweepDto>(
      '/api/v1/sweeps',
      aSweepSpec({
        algorithm: { type: 'grid' },
        searchSpace: { hiddenUnits: { type: 'choice', values: [16, 32, 64] }, layers: { type: 'int', min: 1, max: 2 } },
        budget: { maxTrials: 100, maxConcurrent: 4, maxEpochsPerTrial: 1 },
      }),
    );
    assert.equal(sweep.plannedTrials, 6);
    while ((await stateOf(sweep.id)).status === 'running') {
      await finishActiveTrials(sweep.id, 4);
      await sut.topUp(sweep.id);
    }
    const configs = (await hyperparameters(sweep.id)).map(({ hp }) => ({ units: Number(hp.hiddenUnits), layers: Number(hp.layers) }));
    assert.deepEqual(configs, [16, 32, 64].flatMap((units) => [1, 2].map((layers) => ({ units, layers }))));
  });

  it('ends a sweep whose trials all failed `failed`, with the first failure as its reason; one result is enough to complete', async () => {
    const { body: failing } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ budget: { maxTrials: 3, maxConcurrent: 2, maxEpochsPerTrial: 1 } }));
    while ((await stateOf(failing.id)).status === 'running') {
      await endActiveTrials(stores, failing.id, { status: 'failed' });
      await sut.topUp(failing.id);
    }
    const failed = (await api.get<SweepDto>(`/api/v1/sweeps/${failing.id}`)).body;
    assert.deepEqual([failed.status, failed.trialCounts.failed, failed.statusReason], ['failed', 3, 'all 3 trials failed; the first, trial 0: failed by the test']);
    assert.ok(failed.finishedAt, 'a failed sweep has ended');
    assert.equal((await api.post(`/api/v1/sweeps/${failing.id}/cancel`)).status, 409, 'and stays ended');

    const { body: single } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 1 } }));
    await endActiveTrials(stores, single.id, { status: 'failed' });
    await sut.topUp(single.id);
    assert.equal((await api.get<SweepDto>(`/api/v1/sweeps/${single.id}`)).body.statusReason, 'its only trial failed (trial 0: failed by the test)');

    const { body: mixed } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ budget: { maxTrials: 2, maxConcurrent: 2, maxEpochsPerTrial: 1 } }));
    const [first, second] = await trialsOfSweep(stores, mixed.id);
    await endTrials(stores, [first], { status: 'failed' });
    await endTrials(stores, [second], { status: 'pruned', bestMetric: 0.5 });
    await sut.topUp(mixed.id);
    const completed = (await api.get<SweepDto>(`/api/v1/sweeps/${mixed.id}`)).body;
    assert.deepEqual([completed.status, completed.statusReason], ['completed', null]);
  });

  it('does not create trials for a cancelled sweep', async () => {
    const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec());
    await api.post(`/api/v1/sweeps/${sweep.id}/cancel`);
    assert.equal(await sut.topUp(sweep.id), 0);
    assert.equal((await stateOf(sweep.id)).rows, 4);
  });

  describe('sweep control', () => {
    const patch = (id: string, body: unknown) =>
      adminFetch(`${coordinator.baseUrl}/api/v1/sweeps/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as any,
      }));

    it('pauses (no new trials, waiting jobs leave the queue) and resumes', async () => {
      const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ budget: { maxTrials: 6, maxConcurrent: 2, maxEpochsPerTrial: 1 } }));
      const paused = await api.post<SweepDto>(`/api/v1/sweeps/${sweep.id}/pause`);
      assert.equal(paused.status, 200);
      assert.equal(paused.body.status, 'paused');
      assert.equal(paused.body.trialCounts.queued, 2, 'its trials stay queued');
      for (const { id } of await trialsOfSweep(stores, sweep.id)) assert.equal(await coordinator.queue.getJob(id), undefined);

      await finishActiveTrials(sweep.id, 2);
      await sut.topUp(sweep.id);
      await sut.reconcile();
      assert.equal((await stateOf(sweep.id)).created, 2, 'a paused sweep creates nothing');
      assert.equal((await api.post(`/api/v1/sweeps/${sweep.id}/pause`)).status, 409);

      const resumed = await api.post<SweepDto>(`/api/v1/sweeps/${sweep.id}/resume`);
      assert.equal(resumed.body.status, 'running');
      assert.equal((await stateOf(sweep.id)).created, 4, 'freed slots are filled on resume');
      assert.equal((await api.post(`/api/v1/sweeps/${sweep.id}/resume`)).status, 409);
    });

    it('re-enqueues the queued trials of a resumed sweep', async () => {
      const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ budget: { maxTrials: 6, maxConcurrent: 2, maxEpochsPerTrial: 1 } }));
      await api.post(`/api/v1/sweeps/${sweep.id}/pause`);
      await api.post(`/api/v1/sweeps/${sweep.id}/resume`);
      const trials = await stores.trials.queuedOfSweep(sweep.id);
      assert.equal(trials.length, 2);
      for (const id of trials) assert.ok(await coordinator.queue.getJob(id));
    });

    it('extends a finished sweep, raises maxConcurrent, and refuses to cut below what exists', async () => {
      const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ budget: { maxTrials: 3, maxConcurrent: 3, maxEpochsPerTrial: 1 } }));
      await finishActiveTrials(sweep.id, 3);
      await sut.topUp(sweep.id);
      assert.equal((await stateOf(sweep.id)).status, 'completed');

      const lower = await patch(sweep.id, { maxTrials: 2 });
      assert.equal(lower.status, 409);
      assert.match(lower.body.message, /below the 3 trials this sweep has already created/);

      const extended = await patch(sweep.id, { maxTrials: 8, maxConcurrent: 5 });
      assert.equal(extended.status, 200);
      assert.equal(extended.body.status, 'running');
      assert.equal(extended.body.plannedTrials, 8);
      assert.deepEqual(await stateOf(sweep.id), { status: 'running', created: 8, rows: 8, active: 5, numbers: 8 });

      const bad = await patch(sweep.id, { maxTrials: 0, colour: 'red' });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.issues.map((i: { path: string }) => i.path).sort(), ['body.colour', 'body.maxTrials']);
      assert.equal((await patch(sweep.id, {})).status, 400);
    });
  });

  describe('warm start', () => {
    it('lets TPE learn from an earlier sweep at once, and checks what it names', async () => {
      const space = { learningRate: { type: 'float', min: 0.0001, max: 0.1, log: true }, hiddenUnits: { type: 'int', min: 8, max: 128, log: true } } as const;
      const { body: earlier } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ searchSpace: space, budget: { maxTrials: 12, maxConcurrent: 12, maxEpochsPerTrial: 1 } }));
      // Earlier results: the closer learningRate is to 1e-2, the better.
      await endTrials(stores, await trialsOfSweep(stores, earlier.id), {
        status: 'completed',
        bestMetric: (trial) => Math.abs(Math.log(Number(trial.config.hyperparameters.learningRate) / 0.01)),
      });
      const spec = aSweepSpec({ searchSpace: space, algorithm: { type: 'tpe', startupTrials: 10 }, budget: { maxTrials: 20, maxConcurrent: 6, maxEpochsPerTrial: 1 } });
      const cold = (await api.post<SweepDto>('/api/v1/sweeps', spec)).body;
      const warm = (await api.post<SweepDto>('/api/v1/sweeps', { ...spec, warmStartFrom: earlier.id })).body;
      // Cold, the first trials are start-up draws from their seeds; warm, TPE already has 12 results to model.
      const firstRates = async (id: string) =>
        (await hyperparameters(id)).map(({ hp, seed }) => ({ lr: hp.learningRate, draw: sampleRandom({ hiddenUnits: space.hiddenUnits, learningRate: space.learningRate }, seed).learningRate }));
      assert.ok((await firstRates(cold.id)).every((t) => t.lr === t.draw));
      assert.ok((await firstRates(warm.id)).every((t) => t.lr !== t.draw));
      const missing = await api.post('/api/v1/sweeps', { ...spec, warmStartFrom: '0b7e1c7e-0000-4000-8000-000000000000' });
      assert.equal(missing.status, 400);
      assert.match(missing.body.issues[0].message, /no sweep/);
      const otherObjective = await api.post('/api/v1/sweeps', { ...spec, objective: { metric: 'val_mae', direction: 'minimize' }, warmStartFrom: earlier.id });
      assert.match(otherObjective.body.issues[0].message, /optimised val_loss/);
      const random = await api.post('/api/v1/sweeps', { ...spec, algorithm: { type: 'random' }, warmStartFrom: earlier.id });
      assert.equal(random.body.issues[0].path, 'warmStartFrom');
    });
  });
});


describe(`${SweepScheduler.name} under MAX_ACTIVE_TRIALS`, () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let stores: Stores;
  let sut: SweepScheduler;
  const activeOf = (sweepId: string) => stores.trials.countActive(sweepId);

  before(async () => {
    coordinator = await startTestCoordinator('scheduler_cap', { limits: { ...loadCoordinatorConfig({}).limits, maxActiveTrials: 3 } });
    api = apiClient(coordinator.baseUrl);
    stores = coordinator.app.get(Stores);
    sut = coordinator.app.get(SweepScheduler);
  });
  after(() => coordinator.close());

  it('creates no more active trials over all sweeps than the cap, at creation and in top-ups, and fills the room others leave', async () => {
    const first = (await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'first', budget: { maxTrials: 5, maxConcurrent: 2, maxEpochsPerTrial: 1 } }))).body;
    const second = (await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'second', budget: { maxTrials: 5, maxConcurrent: 4, maxEpochsPerTrial: 1 } }))).body;
    assert.deepEqual([await activeOf(first.id), await activeOf(second.id)], [2, 1], 'the second sweep starts with the one slot left of 3');
    await sut.topUp(second.id);
    assert.equal(await activeOf(second.id), 1, 'a top-up finds no room either');

    await endActiveTrials(stores, first.id, { status: 'completed' });
    await sut.topUp(second.id);
    assert.equal(await activeOf(second.id), 3, 'the ended trials of the first sweep make room for the second');
    await sut.topUp(first.id);
    assert.equal(await activeOf(first.id), 0, 'the cap is reached: the first sweep waits');
  });
});
