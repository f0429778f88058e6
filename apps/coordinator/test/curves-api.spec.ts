import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SweepDto, TrialDto } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { adminFetch, seedRun } from '@tuneforge/testing';
import { downsampleLttb } from '../src/curves/downsample';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

const EPOCHS = 1_000;
const SPIKE_EPOCH = 500;

/** Trial i's stored val_loss at an epoch: decreasing, trial 0 worst, one spike at SPIKE_EPOCH. */
const valLoss = (trial: number, epoch: number) => (epoch === SPIKE_EPOCH ? 5 : 1 / epoch + (4 - trial) * 0.1);

describe('sweep curves API', () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let sweep: SweepDto;
  let trials: TrialDto[];

  before(async () => {
    coordinator = await startTestCoordinator('curves_api');
    api = apiClient(coordinator.baseUrl);
    const spec = aSweepSpec({ name: 'curves', model: 'simulated', budget: { maxTrials: 5, maxConcurrent: 5, maxEpochsPerTrial: EPOCHS } });
    sweep = await coordinator.client.createSweep({ body: spec });
    trials = (await coordinator.client.listTrials({ id: sweep.id, query: { sort: 'number' } })).items;
    const stores = coordinator.app.get(Stores);
    for (const trial of trials) {
      const points = Array.from({ length: EPOCHS }, (_, i) => i + 1).flatMap((epoch) => [
        { epoch, name: 'val_loss', value: valLoss(trial.number, epoch) },
        { epoch, name: 'loss', value: 2 * valLoss(trial.number, epoch) },
      ]);
      // Trial 0 saved a checkpoint at epoch 7 on the way (downloaded below).
      const checkpoint = trial.number === 0 ? { epoch: 7, format: 'simulated/v1', bytes: Buffer.from([1, 2, 3]) } : undefined;
      await seedRun(stores, trial, { points, checkpoint, end: { status: 'completed', bestMetric: valLoss(trial.number, EPOCHS), lastEpoch: EPOCHS } });
    }
  });
  after(() => coordinator.close());

  it('returns the objective curves of the top trials, best first, downsampled to stored points with first and last kept', async () => {
    const body = await coordinator.client.sweepCurves({ id: sweep.id, query: { top: 3, points: 50 } });
    assert.equal(body.metric, 'val_loss');
    assert.deepEqual(body.curves.map((c) => c.number), [4, 3, 2]);
    for (const curve of body.curves) {
      assert.equal(curve.storedPoints, EPOCHS);
      assert.equal(curve.epochs.length, 50);
      assert.equal(curve.epochs[0], 1);
      assert.equal(curve.epochs.at(-1), EPOCHS);
      assert.ok(curve.epochs.every((e, i) => i === 0 || e > curve.epochs[i - 1]), 'epochs increase');
      curve.epochs.forEach((epoch, i) => assert.equal(curve.values[i], valLoss(curve.number, epoch), `point at epoch ${epoch} is a stored one`));
      assert.ok(curve.epochs.includes(SPIKE_EPOCH), 'the spike survives downsampling');
    }
  });

  it('returns every point when the curve is shorter than `points`, another metric, and explicitly listed trials', async () => {
    const ids = [trials[0].id, trials[1].id].join(',');
    const body = await coordinator.client.sweepCurves({ id: sweep.id, query: { metric: 'loss', points: 5000, trials: ids } });
    assert.deepEqual(body.curves.map((c) => c.number), [1, 0]);
    assert.equal(body.curves[0].epochs.length, EPOCHS);
    assert.equal(body.curves[0].values[9], 2 * valLoss(1, 10));
  });

  it('downsamples a trial\'s metrics when asked for `points`', async () => {
    const body = await coordinator.client.trialMetrics({ id: trials[2].id, query: { names: 'val_loss', points: 20 } });
    assert.deepEqual(Object.keys(body.metrics), ['val_loss']);
    assert.equal(body.metrics.val_loss.epochs.length, 20);
    const all = await coordinator.client.trialMetrics({ id: trials[2].id, query: { names: 'val_loss' } });
    assert.equal(all.metrics.val_loss.epochs.length, EPOCHS);
  });

  it('answers 400 naming each bad query parameter', async () => {
    const cases: [string, string[]][] = [
      ['points=1', ['query.points']],
      ['top=abc', ['query.top']],
      ['top=51', ['query.top']],
      ['metric=no%20spaces', ['query.metric']],
      ['trials=not-a-uuid', ['query.trials']],
      ['colour=red&points=0', ['query.colour', 'query.points']],
    ];
    for (const [query, paths] of cases) {
      const { status, body } = await api.get(`/api/v1/sweeps/${sweep.id}/curves?${query}`);
      assert.equal(status, 400, query);
      assert.deepEqual(body.issues.map((i: { path: string }) => i.path).sort(), paths, query);
    }
    const metrics = await api.get(`/api/v1/trials/${trials[0].id}/metrics?points=-3`);
    assert.equal(metrics.status, 400);
    assert.deepEqual(metrics.body.issues.map((i: { path: string }) => i.path), ['query.points']);
  });

  it('downloads a stored checkpoint by epoch, and names a bad epoch', async () => {
    const response = await adminFetch(`${coordinator.baseUrl}/api/v1/trials/${trials[0].id}/checkpoints/7`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-checkpoint-format'), 'simulated/v1');
    assert.match(response.headers.get('content-disposition') ?? '', /attachment/);
    assert.deepEqual([...new Uint8Array(await response.arrayBuffer())], [1, 2, 3]);
    assert.equal((await api.get(`/api/v1/trials/${trials[0].id}/checkpoints/8`)).status, 404);
    const bad = await api.get(`/api/v1/trials/${trials[0].id}/checkpoints/seven`);
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.issues.map((i: { path: string }) => i.path), ['params.epoch']);
  });

  it("says what the objective depends on (permutation importance of a random forest), or why it cannot yet", async () => {
    const early = await coordinator.client.sweepImportance({ id: sweep.id });
    assert.deepEqual(early.parameters, []);
    assert.equal(early.note, 'needs 10 finished trials; 5 so far');
    const stores = coordinator.app.get(Stores);
    const spec = aSweepSpec({ name: 'importance', model: 'simulated', budget: { maxTrials: 60, maxConcurrent: 60, maxEpochsPerTrial: 2 } });
    const big = await coordinator.client.createSweep({ body: spec });
    const all = (await coordinator.client.listTrials({ id: big.id, query: { limit: 100 } })).items;
    for (const trial of all) {
      // The objective follows the learning rate's logarithm; nothing else matters.
      const bestMetric = (Math.log10(Number(trial.config.hyperparameters.learningRate)) + 3) ** 2;
      await seedRun(stores, trial, { points: [{ epoch: 1, name: 'val_loss', value: bestMetric }], end: { status: 'completed', bestMetric, lastEpoch: 1 } });
    }
    const body = await coordinator.client.sweepImportance({ id: big.id });
    assert.equal(body.note, null);
    assert.equal(body.trials, 60);
    assert.match(body.method, /permutation importance of a random forest on held-out trials/);
    assert.equal(body.parameters[0].name, 'learningRate', JSON.stringify(body.parameters));
    assert.ok(body.parameters[0].importance > 0.5, JSON.stringify(body.parameters));
    assert.deepEqual(body.parameters.map((p) => p.name).sort(), ['batchSize', 'dropout', 'hiddenUnits', 'layers', 'learningRate']);
    assert.equal((await api.get('/api/v1/sweeps/00000000-0000-4000-8000-000000000000/importance')).status, 404);
  });

  it('answers 404 for an unknown sweep', async () => {
    assert.equal((await api.get('/api/v1/sweeps/00000000-0000-4000-8000-000000000000/curves')).status, 404);
    assert.equal((await api.get('/api/v1/sweeps/nope/trial-points')).status, 404);
  });

  it("lists every trial's hyperparameters (the search space's) and objective", async () => {
    const body = await coordinator.client.trialPoints({ id: sweep.id });
    assert.deepEqual([...body.parameters].sort(), ['batchSize', 'dropout', 'hiddenUnits', 'layers', 'learningRate']);
    assert.deepEqual(body.objective, { metric: 'val_loss', direction: 'minimize' });
    assert.deepEqual(body.trials.map((t) => t.number), [0, 1, 2, 3, 4]);
    for (const t of body.trials) {
      const trial = trials.find((x) => x.id === t.id);
      assert.deepEqual(t.values, body.parameters.map((p) => trial?.config.hyperparameters[p]));
      assert.equal(t.objective, valLoss(t.number, EPOCHS));
      assert.equal(t.status, 'completed');
    }
    assert.equal(body.total, 5);
  });

  it('lists only the best `limit` trials with a value, by number, of a sweep with more (for either direction; curves and best too), and names a bad limit', async () => {
    const best = await coordinator.client.trialPoints({ id: sweep.id, query: { limit: 3 } });
    assert.deepEqual(best.trials.map((t) => t.number), [2, 3, 4], 'the three lowest val_loss');
    assert.equal(best.total, 5);
    const maximized = await coordinator.client.createSweep({
      body: aSweepSpec({ name: 'curves-max', model: 'simulated', objective: { metric: 'val_loss', direction: 'maximize' }, budget: { maxTrials: 4, maxConcurrent: 4, maxEpochsPerTrial: 1 } }),
    });
    const stores = coordinator.app.get(Stores);
    for (const trial of (await coordinator.client.listTrials({ id: maximized.id, query: { sort: 'number' } })).items) {
      await seedRun(stores, trial, { end: { status: 'completed', bestMetric: [0.3, 0.9, 0.1, 0.8][trial.number], lastEpoch: 1 } });
    }
    assert.deepEqual((await coordinator.client.trialPoints({ id: maximized.id, query: { limit: 2 } })).trials.map((t) => t.number), [1, 3], 'the two highest');
    assert.deepEqual((await coordinator.client.sweepCurves({ id: maximized.id, query: { top: 3 } })).curves.map((c) => c.number), [1, 3, 0], 'curves of the best, highest first');
    assert.equal((await coordinator.client.getSweep({ id: maximized.id })).best?.value, 0.9);
    for (const query of ['limit=0', 'limit=20001', 'limit=many']) {
      const { status, body } = await api.get(`/api/v1/sweeps/${sweep.id}/trial-points?${query}`);
      assert.equal(status, 400, query);
      assert.deepEqual(body.issues.map((i: { path: string }) => i.path), ['query.limit'], query);
    }
  });
});

describe(downsampleLttb.name, () => {
  it('keeps short series whole and rejects fewer than two points', () => {
    assert.deepEqual(downsampleLttb({ epochs: [1, 2, 3], values: [3, 2, 1] }, 5), { epochs: [1, 2, 3], values: [3, 2, 1] });
    assert.throws(() => downsampleLttb({ epochs: [1, 2, 3, 4], values: [1, 2, 3, 4] }, 1), /at least 2/);
  });

  it('picks one point per bucket, the one that bends the curve most', () => {
    const epochs = Array.from({ length: 11 }, (_, i) => i);
    const values = epochs.map((e) => (e === 3 ? 10 : e === 8 ? -10 : 0));
    const sut = downsampleLttb({ epochs, values }, 4);
    assert.deepEqual(sut.epochs, [0, 3, 8, 10]);
    assert.deepEqual(sut.values, [0, 10, -10, 0]);
  });
});
