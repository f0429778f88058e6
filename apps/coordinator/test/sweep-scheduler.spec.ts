import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SweepDto } from '@tuneforge/contracts';
import { DataSource } from 'typeorm';
import { sampleRandom } from '@tuneforge/search';
import { loadCoordinatorConfig } from '../src/config/coordinator.config';
import { SweepScheduler } from '../src/sweeps/sweep-scheduler.service';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

describe(SweepScheduler.name, () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let db: DataSource;
  let sut: SweepScheduler;

  /** What a worker does when a trial ends: a terminal status and a result in PostgreSQL. */
  const finishActiveTrials = async (sweepId: string, limit: number) =>
    db.query(
      `UPDATE trials SET status = 'completed', best_metric = random(), finished_at = now()
       WHERE id IN (SELECT id FROM trials WHERE sweep_id = $1 AND status IN ('queued', 'running') ORDER BY number LIMIT $2)`,
      [sweepId, limit],
    );
  const stateOf = async (sweepId: string) => {
    const [row] = await db.query(
      `SELECT s.status, s.trials_created AS created,
              (SELECT count(*) FROM trials t WHERE t.sweep_id = s.id)::int AS rows,
              (SELECT count(*) FROM trials t WHERE t.sweep_id = s.id AND t.status IN ('queued', 'running'))::int AS active,
              (SELECT count(DISTINCT number) FROM trials t WHERE t.sweep_id = s.id)::int AS numbers
       FROM sweeps s WHERE s.id = $1`,
      [sweepId],
    );
    return row as { status: string; created: number; rows: number; active: number; numbers: number };
  };

  before(async () => {
    coordinator = await startTestCoordinator('scheduler');
    api = apiClient(coordinator.baseUrl);
    db = coordinator.app.get(DataSource);
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
    const configs: { units: number; layers: number }[] = await db.query(
      `SELECT (config->'hyperparameters'->>'hiddenUnits')::int AS units, (config->'hyperparameters'->>'layers')::int AS layers FROM trials WHERE sweep_id = $1 ORDER BY number`,
      [sweep.id],
    );
    assert.deepEqual(configs, [16, 32, 64].flatMap((units) => [1, 2].map((layers) => ({ units, layers }))));
  });

  it('does not create trials for a cancelled sweep', async () => {
    const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec());
    await api.post(`/api/v1/sweeps/${sweep.id}/cancel`);
    assert.equal(await sut.topUp(sweep.id), 0);
    assert.equal((await stateOf(sweep.id)).rows, 4);
  });

  describe('sweep control', () => {
    const patch = (id: string, body: unknown) =>
      fetch(`${coordinator.baseUrl}/api/v1/sweeps/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as any,
      }));

    it('pauses (no new trials, waiting jobs leave the queue) and resumes', async () => {
      const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ budget: { maxTrials: 6, maxConcurrent: 2, maxEpochsPerTrial: 1 } }));
      const paused = await api.post<SweepDto>(`/api/v1/sweeps/${sweep.id}/pause`);
      assert.equal(paused.status, 200);
      assert.equal(paused.body.status, 'paused');
      assert.equal(paused.body.trialCounts.queued, 2, 'its trials stay queued');
      const trialIds: { id: string }[] = await db.query(`SELECT id FROM trials WHERE sweep_id = $1`, [sweep.id]);
      for (const { id } of trialIds) assert.equal(await coordinator.queue.getJob(id), undefined);

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
      const trials: { id: string }[] = await db.query(`SELECT id FROM trials WHERE sweep_id = $1 AND status = 'queued'`, [sweep.id]);
      assert.equal(trials.length, 2);
      for (const { id } of trials) assert.ok(await coordinator.queue.getJob(id));
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
      await db.query(
        `UPDATE trials SET status = 'completed', best_metric = abs(ln((config->'hyperparameters'->>'learningRate')::float8 / 0.01)) WHERE sweep_id = $1`,
        [earlier.id],
      );
      const spec = aSweepSpec({ searchSpace: space, algorithm: { type: 'tpe', startupTrials: 10 }, budget: { maxTrials: 20, maxConcurrent: 6, maxEpochsPerTrial: 1 } });
      const cold = (await api.post<SweepDto>('/api/v1/sweeps', spec)).body;
      const warm = (await api.post<SweepDto>('/api/v1/sweeps', { ...spec, warmStartFrom: earlier.id })).body;
      // Cold, the first trials are start-up draws from their seeds; warm, TPE already has 12 results to model.
      const firstRates = async (id: string) =>
        ((await db.query(`SELECT (config->'hyperparameters'->>'learningRate')::float8 AS lr, seed FROM trials WHERE sweep_id = $1 ORDER BY number`, [id])) as {
          lr: number;
          seed: string;
        }[]).map((r) => ({ lr: r.lr, draw: sampleRandom({ hiddenUnits: space.hiddenUnits, learningRate: space.learningRate }, Number(r.seed)).learningRate }));
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
  let db: DataSource;
  let sut: SweepScheduler;
  const activeOf = async (sweepId: string) =>
    (await db.query(`SELECT count(*)::int AS n FROM trials WHERE sweep_id = $1 AND status IN ('queued', 'running')`, [sweepId]))[0].n as number;

  before(async () => {
    coordinator = await startTestCoordinator('scheduler_cap', { limits: { ...loadCoordinatorConfig({}).limits, maxActiveTrials: 3 } });
    api = apiClient(coordinator.baseUrl);
    db = coordinator.app.get(DataSource);
    sut = coordinator.app.get(SweepScheduler);
  });
  after(() => coordinator.close());

  it('creates no more active trials over all sweeps than the cap, at creation and in top-ups, and fills the room others leave', async () => {
    const first = (await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'first', budget: { maxTrials: 5, maxConcurrent: 2, maxEpochsPerTrial: 1 } }))).body;
    const second = (await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'second', budget: { maxTrials: 5, maxConcurrent: 4, maxEpochsPerTrial: 1 } }))).body;
    assert.deepEqual([await activeOf(first.id), await activeOf(second.id)], [2, 1], 'the second sweep starts with the one slot left of 3');
    await sut.topUp(second.id);
    assert.equal(await activeOf(second.id), 1, 'a top-up finds no room either');

    await db.query(`UPDATE trials SET status = 'completed', finished_at = now() WHERE sweep_id = $1`, [first.id]);
    await sut.topUp(second.id);
    assert.equal(await activeOf(second.id), 3, 'the ended trials of the first sweep make room for the second');
    await sut.topUp(first.id);
    assert.equal(await activeOf(first.id), 0, 'the cap is reached: the first sweep waits');
  });
});
