import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DatasetDto, SweepDto, SweepSpecInput } from '@tuneforge/contracts';
import { CheckpointEntity, DatasetEntity, MetricPointEntity, Stores, SweepEntity, TrialEntity } from '@tuneforge/persistence';
import { seedRun, trialsOfSweep } from '@tuneforge/testing';
import { SweepScheduler } from '../src/sweeps/sweep-scheduler.service';
import { aCsv } from './support/datasets';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

const UNKNOWN_ID = '3f8e9a9e-8f5d-4c59-9d0a-1d9d2c7b0000';
const SMALL = { budget: { maxTrials: 3, maxConcurrent: 3, maxEpochsPerTrial: 2 } };

describe('DELETE /sweeps/:id and DELETE /datasets/:id', () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let stores: Stores;

  const del = (path: string) => api.request('DELETE', `/api/v1${path}`);
  const rowCounts = async () => ({
    sweeps: await stores.manager.count(SweepEntity),
    trials: await stores.manager.count(TrialEntity),
    metricPoints: await stores.manager.count(MetricPointEntity),
    checkpoints: await stores.manager.count(CheckpointEntity),
    datasets: await stores.manager.count(DatasetEntity),
    jobs: (await coordinator.queue.getJobs()).length,
  });
  const createSweep = async (overrides: Partial<SweepSpecInput> = {}, headers: Record<string, string> = {}) => {
    const { status, body } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ model: 'simulated', ...SMALL, ...overrides }), headers);
    assert.equal(status, 201, JSON.stringify(body));
    return body;
  };
  /** Each active trial of the sweep reports two epochs, checkpoints and completes; then the sweep completes. */
  const completeSweep = async (sweepId: string) => {
    for (const trial of await trialsOfSweep(stores, sweepId)) {
      await seedRun(stores, trial, {
        points: [1, 2].flatMap((epoch) => [
          { epoch, name: 'loss', value: 1 / epoch },
          { epoch, name: 'val_loss', value: 2 / epoch },
        ]),
        checkpoint: { epoch: 2, format: 'test', bytes: Buffer.from('weights'), bestMetric: 1, bestEpoch: 2 },
        end: { status: 'completed', bestMetric: 1, lastEpoch: 2 },
      });
    }
    await coordinator.app.get(SweepScheduler).topUp(sweepId);
    assert.equal((await coordinator.client.getSweep({ id: sweepId })).status, 'completed');
  };

  before(async () => {
    coordinator = await startTestCoordinator('deletes');
    api = apiClient(coordinator.baseUrl);
    stores = coordinator.app.get(Stores);
  });
  after(() => coordinator.close());

  describe('a sweep', () => {
    it('removes the sweep and all it owns: trials and their events, metric points, checkpoints, its idempotency key, its jobs', async () => {
      const kept = await createSweep({ name: 'kept' });
      const before = await rowCounts();
      const doomed = await createSweep({ name: 'doomed' }, { 'idempotency-key': 'doomed-1' });
      await completeSweep(doomed.id);
      const trialIds = (await trialsOfSweep(stores, doomed.id)).map((t) => t.id);
      assert.deepEqual(await rowCounts(), { ...before, sweeps: before.sweeps + 1, trials: before.trials + 3, metricPoints: before.metricPoints + 12, checkpoints: before.checkpoints + 3, jobs: before.jobs + 3 });

      const answer = await del(`/sweeps/${doomed.id}`);
      assert.equal(answer.status, 204);
      assert.equal(answer.body, undefined, 'no body');
      assert.deepEqual(await rowCounts(), before);
      for (const id of trialIds) assert.equal(await coordinator.queue.getJob(id), undefined, `the job of trial ${id} is gone`);
      assert.equal((await api.get(`/api/v1/sweeps/${doomed.id}`)).status, 404);
      assert.equal((await api.get(`/api/v1/trials/${trialIds[0]}`)).status, 404);
      assert.equal((await api.get(`/api/v1/sweeps/${kept.id}`)).status, 200);
      // The idempotency key went with it: it names a new sweep now, whatever its spec.
      assert.equal((await api.post('/api/v1/sweeps', aSweepSpec({ name: 'another', model: 'simulated', ...SMALL }), { 'idempotency-key': 'doomed-1' })).status, 201);
      assert.equal((await del(`/sweeps/${doomed.id}`)).status, 404, 'a second delete finds nothing');
    });

    it('refuses a running and a paused sweep with 409 SWEEP_ACTIVE and deletes nothing', async () => {
      const sweep = await createSweep({ name: 'live' });
      await seedRun(stores, (await trialsOfSweep(stores, sweep.id))[0], { checkpoint: { epoch: 1, format: 'test', bytes: Buffer.from('w') } });
      const before = await rowCounts();
      const running = await del(`/sweeps/${sweep.id}`);
      assert.equal(running.status, 409);
      assert.equal(running.body.code, 'SWEEP_ACTIVE');
      assert.match(running.body.message, /is running; cancel it before deleting it/);
      assert.equal((await api.post(`/api/v1/sweeps/${sweep.id}/pause`)).status, 200);
      const paused = await del(`/sweeps/${sweep.id}`);
      assert.equal(paused.status, 409);
      assert.match(paused.body.message, /is paused/);
      assert.deepEqual({ ...(await rowCounts()), jobs: before.jobs }, before, 'nothing deleted (pause took the waiting jobs off the queue)');
      assert.equal((await api.post(`/api/v1/sweeps/${sweep.id}/cancel`)).status, 200);
      assert.equal((await del(`/sweeps/${sweep.id}`)).status, 204, 'a cancelled sweep can go');
    });

    it('refuses a sweep that a running or paused sweep warm-starts from (SWEEP_IN_USE), not one a finished sweep did', async () => {
      const source = await createSweep({ name: 'source' });
      await completeSweep(source.id);
      const tpe = { algorithm: { type: 'tpe' as const }, warmStartFrom: source.id };
      const live = await createSweep({ name: 'warm', ...tpe });
      const before = await rowCounts();
      const refused = await del(`/sweeps/${source.id}`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'SWEEP_IN_USE');
      assert.match(refused.body.message, new RegExp(`warm start of live sweeps '${live.id}'`));
      assert.deepEqual(await rowCounts(), before);
      await api.post(`/api/v1/sweeps/${live.id}/cancel`);
      assert.equal((await del(`/sweeps/${source.id}`)).status, 204);
      const again = await api.post('/api/v1/sweeps', aSweepSpec({ name: 'warm-again', model: 'simulated', ...SMALL, ...tpe }));
      assert.equal(again.status, 400);
      assert.deepEqual(again.body.issues.map((i: { path: string }) => i.path), ['warmStartFrom']);
    });

    it('answers 404 for an unknown id and for one that is not a uuid, as every other sweep endpoint does', async () => {
      for (const id of [UNKNOWN_ID, 'not-a-uuid', '42']) {
        const { status, body } = await del(`/sweeps/${id}`);
        assert.equal(status, 404, id);
        assert.equal(body.code, 'SWEEP_NOT_FOUND');
        assert.match(body.message, new RegExp(`sweep '${id}' not found`));
      }
    });

    it('never crosses a PATCH that reopens the sweep: one of them wins, whole', async () => {
      for (let round = 0; round < 5; round++) {
        const sweep = await createSweep({ name: `race-${round}` });
        await completeSweep(sweep.id);
        const [deleted, patched] = await Promise.all([del(`/sweeps/${sweep.id}`), api.request('PATCH', `/api/v1/sweeps/${sweep.id}`, { maxTrials: 5 })]);
        if (deleted.status === 204) {
          assert.equal(patched.status, 404, `round ${round}: the PATCH came after the delete`);
          assert.equal(await stores.manager.count(TrialEntity, { where: { sweepId: sweep.id } }), 0);
        } else {
          assert.deepEqual([deleted.status, deleted.body.code, patched.status], [409, 'SWEEP_ACTIVE', 200], `round ${round}: the delete came after the reopen`);
          assert.equal((await coordinator.client.getSweep({ id: sweep.id })).status, 'running');
          await api.post(`/api/v1/sweeps/${sweep.id}/cancel`);
        }
      }
    });
  });

  describe('a dataset', () => {
    let dataset: DatasetDto;
    const onDataset = (name: string) =>
      aSweepSpec({ name, model: 'simulated', ...SMALL, dataset: { source: 'upload', id: dataset.id, target: 'sales', features: ['temperature'], window: 7, horizon: 1, validationSplit: 0.2 } });

    before(async () => {
      dataset = await coordinator.client.uploadDataset({ body: aCsv(), query: { name: 'to-delete' } });
    });

    it('is refused with 409 DATASET_IN_USE while a running or paused sweep trains on it, and deleted once they end; their trials keep their checkpoints', async () => {
      const running = (await api.post<SweepDto>('/api/v1/sweeps', onDataset('on-upload'))).body;
      const paused = (await api.post<SweepDto>('/api/v1/sweeps', onDataset('on-upload-paused'))).body;
      await api.post(`/api/v1/sweeps/${paused.id}/pause`);
      const [best] = await trialsOfSweep(stores, running.id);
      await seedRun(stores, best, { checkpoint: { epoch: 1, format: 'test', bytes: Buffer.from('w') }, end: { status: 'completed', bestMetric: 0.1 } });
      const before = await rowCounts();

      const refused = await del(`/datasets/${dataset.id}`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'DATASET_IN_USE');
      assert.match(refused.body.message, new RegExp(`used by live sweeps '${running.id}', '${paused.id}'`));
      assert.deepEqual(await rowCounts(), before);
      assert.equal((await api.get(`/api/v1/datasets/${dataset.id}`)).status, 200);

      await api.post(`/api/v1/sweeps/${running.id}/cancel`);
      assert.match((await del(`/datasets/${dataset.id}`)).body.message, new RegExp(`live sweeps '${paused.id}';`), 'the paused one still holds it');
      await api.post(`/api/v1/sweeps/${paused.id}/cancel`);
      const checkpoints = await stores.manager.count(CheckpointEntity);
      assert.equal((await del(`/datasets/${dataset.id}`)).status, 204);
      assert.equal((await api.get(`/api/v1/datasets/${dataset.id}`)).status, 404);
      assert.equal(await stores.manager.count(CheckpointEntity), checkpoints, 'the finished sweeps keep their checkpoints');
      assert.equal(Buffer.from(await coordinator.client.checkpointBytes({ id: best.id, epoch: '1' })).toString(), 'w');

      const orphan = await api.post('/api/v1/sweeps', onDataset('on-deleted'));
      assert.equal(orphan.status, 400);
      assert.deepEqual(orphan.body.issues.map((i: { path: string }) => i.path), ['dataset.id']);
    });

    it('answers 404 DATASET_NOT_FOUND for an unknown or malformed id', async () => {
      for (const id of [UNKNOWN_ID, 'nope']) {
        const { status, body } = await del(`/datasets/${id}`);
        assert.equal(status, 404, id);
        assert.equal(body.code, 'DATASET_NOT_FOUND');
      }
    });
  });
});
