import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '@tuneforge/api-client';
import type { ErrorCode } from '@tuneforge/contracts';
import { calendarFeatures, encodeCheckpointContainer, forecastPreprocessingOf, MODEL_BUNDLE_FORMAT, type ForecastPreprocessing, type ModelBundleMetadata } from '@tuneforge/formats';
import { Stores, type TrialRef } from '@tuneforge/persistence';
import { adminFetch, aParsedSweepSpec, claimTrials, endTrials, seedRun, seedSweep } from '@tuneforge/testing';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

const DAY = 86_400_000;
const WINDOW = 5;
const HORIZON = 2;
const UNKNOWN_ID = '3f8e9a9e-8f5d-4c59-9d0a-1d9d2c7b0000';

const rows = Array.from({ length: 40 }, (_, i) => ({ date: Date.UTC(2021, 0, 1) + i * DAY, births: 200 + 30 * Math.sin((2 * Math.PI * i) / 7) }));
const columns = { date: rows.map((r) => r.date), births: rows.map((r) => r.births) };
const PREPROCESSING: ForecastPreprocessing = forecastPreprocessingOf(
  { columns, target: 'births', timeColumn: 'date', features: calendarFeatures('date') },
  { window: WINDOW, horizon: HORIZON, trainEnd: 30, output: 'level' },
);
const TEST_METRICS = { test_loss: 0.4, test_mae: 12.5, seasonal_naive_test_mae: 20 };

/** A checkpoint container of one two-float weight, recognisable by its values, and an optimizer weight the export must leave out. */
const aCheckpoint = (epoch: number, values: [number, number]) =>
  encodeCheckpointContainer(
    {
      modelTopology: { class_name: 'Sequential', config: { layers: [] } },
      weightSpecs: [
        { name: 'dense/kernel', shape: [2], dtype: 'float32' },
        { name: 'Adam/iter', shape: [], dtype: 'int32', group: 'optimizer' },
      ],
      weightData: new Uint8Array([...new Uint8Array(new Float32Array(values).buffer), ...new Uint8Array(new Int32Array([7]).buffer)]).buffer,
    },
    { epoch, seed: 1, bestMetric: null },
  );

/** The weights an answer serves, as floats. */
const floats = (bytes: ArrayBuffer) => [...new Float32Array(bytes)];

// tf.loadLayersModel(url) and @tuneforge/predict load these answers over HTTP in test/model-export.e2e.spec.ts, from trained models.
describe('model export (GET /trials/:id/model, GET /sweeps/:id/best-model)', () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let sweepId: string;
  let simulatedSweepId: string;
  let maximizeSweepId: string;
  let t: TrialRef[];
  let simulatedTrial: TrialRef;
  let maximizeTrials: TrialRef[];

  /** Trains nothing: records a finished run with this model as its best epoch's checkpoint, as the worker records one. */
  const seedExportable = (stores: Stores, trial: TrialRef, weights: [number, number], bestMetric: number, status: 'completed' | 'pruned' = 'completed') =>
    seedRun(stores, trial, {
      checkpoint: { epoch: 2, format: 'tfjs-layers+adam/v1', bytes: aCheckpoint(2, weights), bestMetric, bestEpoch: 2 },
      end: { status, bestMetric, lastEpoch: 3, preprocessing: PREPROCESSING, testMetrics: TEST_METRICS, ...(status === 'pruned' ? { prunedRung: 0 } : {}) },
    });

  before(async () => {
    coordinator = await startTestCoordinator('model_export');
    api = apiClient(coordinator.baseUrl);
    const stores = coordinator.app.get(Stores);
    const spec = aParsedSweepSpec({ name: 'export', searchSpace: { hiddenUnits: 3, batchSize: 32 } });
    ({
      sweep: { id: sweepId },
      trials: t,
    } = await seedSweep(stores, { spec, trials: 6 }));
    await seedExportable(stores, t[0], [0, 0], 0.3);
    // The best value of all, but ended before exports existed: no preprocessing, so no model.
    await seedRun(stores, t[1], { checkpoint: { epoch: 1, format: 'tfjs-layers+adam/v1', bytes: aCheckpoint(1, [1, 1]), bestMetric: 0.1, bestEpoch: 1 }, end: { status: 'completed', bestMetric: 0.1 } });
    await seedExportable(stores, t[2], [2, 2], 0.25, 'pruned');
    await claimTrials(stores, [t[3]]);
    await endTrials(stores, [t[4]], { status: 'failed' });
    await seedRun(stores, t[5], { end: { status: 'completed', bestMetric: 0.05, preprocessing: PREPROCESSING } });

    const simulated = await seedSweep(stores, { spec: aParsedSweepSpec({ name: 'export-simulated', model: 'simulated' }), trials: 1 });
    simulatedSweepId = simulated.sweep.id;
    [simulatedTrial] = simulated.trials;
    await seedRun(stores, simulatedTrial, { end: { status: 'completed', bestMetric: 0.2 } });

    const maximize = await seedSweep(stores, { spec: aParsedSweepSpec({ name: 'export-maximize', objective: { metric: 'val_loss', direction: 'maximize' } }), trials: 2 });
    maximizeSweepId = maximize.sweep.id;
    maximizeTrials = maximize.trials;
    await seedExportable(stores, maximizeTrials[0], [10, 10], 0.3);
    await seedExportable(stores, maximizeTrials[1], [11, 11], 0.25);
  });
  after(() => coordinator?.close());

  const url = (path: string) => `${coordinator.baseUrl}/api/v1${path}`;
  const refused = async (path: string, code: ErrorCode, message: RegExp) => {
    const answer = await api.get(`/api/v1${path}`);
    assert.equal(answer.body?.code, code, `${path}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.status, code === 'MODEL_NOT_READY' ? 409 : 404);
    assert.match(answer.body.message, message, path);
  };

  it("serves a trial's best epoch with its metadata and its model weights only", async () => {
    const answer = await adminFetch(url(`/trials/${t[0].id}/model`));
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('x-trial-id'), t[0].id);
    assert.equal(answer.headers.get('x-checkpoint-epoch'), '2');
    const modelJson = (await answer.json()) as { weightsManifest: { paths: string[]; weights: { name: string }[] }[]; userDefinedMetadata: { tuneforge: ModelBundleMetadata } };
    assert.deepEqual(modelJson.weightsManifest[0].paths, ['model/weights.bin']);
    assert.deepEqual(modelJson.weightsManifest[0].weights.map((w) => w.name), ['dense/kernel'], 'no optimizer state');
    const trial = await coordinator.client.getTrial({ id: t[0].id });
    const expected: ModelBundleMetadata = {
      format: MODEL_BUNDLE_FORMAT,
      preprocessing: PREPROCESSING,
      trial: { id: trial.id, sweepId, number: 0, seed: trial.seed, bestEpoch: 2, config: trial.config },
      objective: { metric: 'val_loss', direction: 'minimize' },
      scores: { validation: 0.3, test: TEST_METRICS },
    };
    assert.deepEqual(modelJson.userDefinedMetadata.tuneforge, expected);
    assert.deepEqual((await coordinator.client.trialModel({ id: t[0].id })).userDefinedMetadata.tuneforge, expected, 'the shared client parses it');
    assert.deepEqual(floats(await coordinator.client.trialModelWeights({ id: t[0].id })), [0, 0], 'the best epoch\'s model weights, without the optimizer\'s');
  });

  it("serves a sweep's best trial that has a model, by the objective's direction, with weights that name that trial", async () => {
    const answer = await adminFetch(url(`/sweeps/${sweepId}/best-model`));
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('x-trial-id'), t[2].id, 'trial 1 scored best but has no model; trial 2 (pruned) is the best with one');
    const modelJson = (await answer.json()) as { weightsManifest: { paths: string[] }[]; userDefinedMetadata: { tuneforge: ModelBundleMetadata } };
    assert.deepEqual(modelJson.weightsManifest[0].paths, [`best-model/weights.bin?trial=${t[2].id}`]);
    assert.equal(modelJson.userDefinedMetadata.tuneforge.trial.id, t[2].id);

    const weights = async (query: { trial?: string }) => floats(await coordinator.client.sweepBestModelWeights({ id: sweepId, query }));
    assert.deepEqual(await weights({}), [2, 2], 'the best trial with a model now');
    assert.deepEqual(await weights({ trial: t[0].id }), [0, 0], 'the trial its model.json names');
    assert.equal((await coordinator.client.sweepBestModel({ id: maximizeSweepId })).userDefinedMetadata.tuneforge.trial.id, maximizeTrials[0].id, 'maximize: the highest value');
    assert.deepEqual(floats(await coordinator.client.sweepBestModelWeights({ id: maximizeSweepId })), [10, 10]);
  });

  it('answers MODEL_NOT_READY (409) saying why a trial has no model, and CHECKPOINT_NOT_FOUND without its best checkpoint', async () => {
    await refused(`/trials/${t[3].id}/model`, 'MODEL_NOT_READY', /it is running; a model is exported once the trial has ended \(completed or pruned\)/);
    await refused(`/trials/${t[4].id}/model`, 'MODEL_NOT_READY', /it ended failed \(failed by the test\); only completed or pruned trials have a model/);
    await refused(`/trials/${t[1].id}/model`, 'MODEL_NOT_READY', /no record of how its inputs were made/);
    await refused(`/trials/${simulatedTrial.id}/model`, 'MODEL_NOT_READY', /the simulated model family trains no model/);
    await refused(`/trials/${t[5].id}/model`, 'CHECKPOINT_NOT_FOUND', /best-epoch checkpoint of trial/);
    await refused(`/trials/${t[3].id}/model/weights.bin`, 'MODEL_NOT_READY', /it is running/);
    await refused(`/sweeps/${simulatedSweepId}/best-model`, 'MODEL_NOT_READY', /has no model yet: none of its trials has ended completed or pruned with a stored best-epoch checkpoint/);
    await refused(`/sweeps/${sweepId}/best-model/weights.bin?trial=${t[4].id}`, 'MODEL_NOT_READY', /it ended failed/);
    await assert.rejects(coordinator.client.trialModel({ id: t[3].id }), (error) => error instanceof ApiError && error.status === 409 && error.code === 'MODEL_NOT_READY');
  });

  it('answers 404 for unknown and malformed ids, a trial of another sweep, and 400 for a malformed trial query', async () => {
    await refused(`/trials/${UNKNOWN_ID}/model`, 'TRIAL_NOT_FOUND', /not found/);
    await refused('/trials/not-a-uuid/model', 'TRIAL_NOT_FOUND', /not found/);
    await refused(`/sweeps/${UNKNOWN_ID}/best-model`, 'SWEEP_NOT_FOUND', /not found/);
    await refused('/sweeps/not-a-uuid/best-model/weights.bin', 'SWEEP_NOT_FOUND', /not found/);
    await refused(`/sweeps/${sweepId}/best-model/weights.bin?trial=${maximizeTrials[0].id}`, 'TRIAL_NOT_FOUND', new RegExp(`trial of sweep ${sweepId} '${maximizeTrials[0].id}' not found`));
    const malformed = await api.get(`/api/v1/sweeps/${sweepId}/best-model/weights.bin?trial=nope`);
    assert.equal(malformed.status, 400);
    assert.deepEqual(malformed.body.issues.map((i: { path: string }) => i.path), ['query.trial']);
  });
});
