import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Client } from 'pg';
import type { SweepDto, SweepSpecInput, TrialDto } from '@tuneforge/contracts';
import { loadEngine } from '@tuneforge/lstm-engine';
import { TRIAL_CONSTANT_METRICS } from '@tuneforge/training';
import { E2eStack } from './support/e2e-stack';
import { adminFetch, waitFor } from '@tuneforge/testing';

/** A sweep small enough for 2 CPU cores: a 7-day window, 8 units, big batches. */
function tinySweep(overrides: Partial<SweepSpecInput> = {}): SweepSpecInput {
  return {
    name: 'e2e',
    dataset: { source: 'builtin', name: 'us-births-1969-1988', window: 7, horizon: 1, validationSplit: 0.2 },
    model: 'lstm',
    objective: { metric: 'val_mae', direction: 'minimize' },
    searchSpace: { hiddenUnits: { type: 'choice', values: [4, 8] }, learningRate: { type: 'float', min: 0.003, max: 0.03, log: true }, batchSize: 512 },
    algorithm: { type: 'random' },
    budget: { maxTrials: 5, maxConcurrent: 2, maxEpochsPerTrial: 2 },
    seed: 11,
    ...overrides,
  };
}

describe('training end to end (coordinator and worker processes)', () => {
  // These tests time kills and signals against tfjs's epoch durations; the native engine has its own tests below.
  const stack = new E2eStack('e2e', { TF_BACKEND: 'wasm', TRAIN_ENGINE: 'tfjs' });
  const startWorker = (id: string, env: Record<string, string> = {}) => stack.startWorker(id, { JOB_LOCK_MS: '3000', STALLED_CHECK_MS: '1000', HEARTBEAT_MS: '500', ...env });
  const submit = (spec: SweepSpecInput) => stack.submit(spec);
  const get = <T>(path: string) => stack.get<T>(path);
  const waitForSweep = (id: string) => stack.waitForSweep(id);
  let db: Client;
  let api: string;

  before(async () => {
    await stack.start();
    ({ db, api } = stack);
  });
  afterEach(() => stack.stopWorkers());
  after(() => stack.close());

  it('runs a sweep on two workers to exactly maxTrials, with metrics, checkpoints and a best trial', async () => {
    startWorker('worker-a');
    startWorker('worker-b');
    await waitFor('two workers are live', async () => (await get<{ items: unknown[] }>('/workers')).items.length === 2);
    const sweep = await waitForSweep((await submit(tinySweep())).id);

    assert.equal(sweep.trialsCreated, 5);
    assert.equal(sweep.trialCounts.completed, 5);
    assert.equal(sweep.trialCounts.total, 5);
    const trials = (await get<{ items: TrialDto[] }>(`/sweeps/${sweep.id}/trials`)).items;
    assert.equal(sweep.best?.trialId, trials[0].id, 'the best trial leads the leaderboard');
    assert.ok(trials.every((t) => t.backend === 'wasm' && t.lastEpoch === 2 && t.bestMetric !== null));
    assert.ok(
      trials.every((t) => (t.testMetrics?.test_mae ?? 0) > 0 && (t.testMetrics?.seasonal_naive_test_mae ?? 0) > 0),
      `every trial is scored on the test split: ${JSON.stringify(trials.map((t) => t.testMetrics))}`,
    );
    assert.deepEqual(sweep.best?.testMetrics, trials[0].testMetrics, "the sweep's best shows its test score");
    const { rows } = await db.query(`SELECT trial_id, name, count(*)::int AS n FROM metric_points GROUP BY 1, 2`);
    // loss, val_loss, val_mae, epoch_seconds, samples_per_second, learning_rate, and once param_count and seasonal_naive_val_mae.
    assert.equal(rows.length, 5 * 8, 'eight metrics per trial');
    assert.ok(rows.every((r) => r.n === (TRIAL_CONSTANT_METRICS.has(r.name) ? 1 : 2)), 'one row per epoch; the constants once');

    const modelJson = await adminFetch(`${api}/trials/${trials[0].id}/checkpoints/latest`);
    assert.equal(modelJson.status, 200);
    assert.equal(modelJson.headers.get('x-checkpoint-epoch'), '2');
    const manifest = ((await modelJson.json()) as { weightsManifest: { paths: string[] }[] }).weightsManifest[0];
    const weights = await adminFetch(`${api}/trials/${trials[0].id}/checkpoints/${manifest.paths[0]}`);
    assert.equal(weights.status, 200);
    assert.ok((await weights.arrayBuffer()).byteLength > 100);

    const live = await get<{ items: { id: string; backend: string }[] }>('/workers');
    assert.deepEqual(live.items.map((w) => [w.id, w.backend]).sort(), [['worker-a', 'wasm'], ['worker-b', 'wasm']]);
  });

  it('finishes a trial on another worker from its checkpoint after kill -9, without duplicate metrics', async () => {
    const victim = startWorker('victim');
    const sweep = await submit(tinySweep({ budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 6 }, searchSpace: { hiddenUnits: 16, batchSize: 128 } }));
    const trialId = (await get<{ items: TrialDto[] }>(`/sweeps/${sweep.id}/trials`)).items[0].id;
    await waitFor('the trial has a checkpoint of epoch 2', async () => ((await get<TrialDto>(`/trials/${trialId}`)).lastEpoch ?? 0) >= 2);
    await victim.stop('SIGKILL');
    startWorker('rescuer');
    await waitForSweep(sweep.id);

    const trial = await get<TrialDto>(`/trials/${trialId}`);
    assert.equal(trial.status, 'completed');
    assert.equal(trial.workerId, 'rescuer');
    assert.equal(trial.attempts, 2);
    assert.ok(trial.events.some((e) => e.type === 'resumed' && /epoch [2-5]/.test(e.message)), JSON.stringify(trial.events));
    const { rows } = await db.query(`SELECT name, count(*)::int AS n, count(DISTINCT epoch)::int AS epochs FROM metric_points WHERE trial_id = $1 GROUP BY name`, [trialId]);
    assert.equal(rows.length, 8);
    assert.ok(rows.every((r) => (TRIAL_CONSTANT_METRICS.has(r.name) ? r.n === 1 : r.n === 6 && r.epochs === 6)), JSON.stringify(rows));
  });

  it('hands over the best epoch of all its epochs after kill -9 between a best checkpoint and the end', async () => {
    const victim = startWorker('best-victim');
    // A high learning rate makes later epochs as likely to be worse as better: the resumed run may or may not beat the stored best.
    const sweep = await submit(tinySweep({ budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 6 }, searchSpace: { hiddenUnits: 16, batchSize: 128, learningRate: 0.05 } }));
    const trialId = (await get<{ items: TrialDto[] }>(`/sweeps/${sweep.id}/trials`)).items[0].id;
    await waitFor('a best-epoch checkpoint is stored', async () => {
      const trial = await get<TrialDto>(`/trials/${trialId}`);
      return trial.bestEpoch !== null && (trial.lastEpoch ?? 0) >= 2 && (trial.lastEpoch ?? 0) < 6;
    });
    const killedAt = await get<TrialDto>(`/trials/${trialId}`);
    await victim.stop('SIGKILL');
    startWorker('best-rescuer');
    await waitForSweep(sweep.id);

    const trial = await get<TrialDto>(`/trials/${trialId}`);
    assert.deepEqual([trial.status, trial.attempts, trial.workerId], ['completed', 2, 'best-rescuer']);
    const { rows } = await db.query(`SELECT epoch, value FROM metric_points WHERE trial_id = $1 AND name = 'val_mae' ORDER BY value, epoch LIMIT 1`, [trialId]);
    assert.deepEqual([trial.bestEpoch, trial.bestMetric], [rows[0].epoch, rows[0].value], `best of all six epochs (killed after epoch ${killedAt.lastEpoch}, best then ${killedAt.bestEpoch})`);
    const best = await adminFetch(`${api}/trials/${trialId}/checkpoints/best`);
    assert.equal(best.status, 200);
    assert.equal(best.headers.get('x-checkpoint-epoch'), String(trial.bestEpoch), 'the best checkpoint served is of that epoch');
    assert.ok((trial.testMetrics?.test_mae ?? 0) > 0, 'the resumed trial is scored on the test split');
  });

  it('on SIGTERM checkpoints the running trial and hands it back; another worker resumes it', async () => {
    const leaving = startWorker('leaving');
    const sweep = await submit(
      tinySweep({ budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 5 }, searchSpace: { hiddenUnits: 16, batchSize: 128 }, checkpointEvery: 10 }),
    );
    const trialId = (await get<{ items: TrialDto[] }>(`/sweeps/${sweep.id}/trials`)).items[0].id;
    await waitFor('the trial has trained an epoch', async () => {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM metric_points WHERE trial_id = $1 AND name = 'loss'`, [trialId]);
      return rows[0].n >= 1;
    });
    leaving.child.kill('SIGTERM');
    assert.deepEqual(await leaving.exit(), { code: 0, signal: null }, leaving.output);
    const handedBack = await get<TrialDto>(`/trials/${trialId}`);
    assert.equal(handedBack.status, 'queued');
    assert.ok(handedBack.events.some((e) => e.type === 'handed-back'));
    const checkpointEpoch = handedBack.lastEpoch;
    assert.ok(checkpointEpoch !== null && checkpointEpoch >= 1 && checkpointEpoch < 5, `checkpoint at epoch ${checkpointEpoch} though checkpointEvery is 10`);

    startWorker('successor');
    await waitForSweep(sweep.id);
    const trial = await get<TrialDto>(`/trials/${trialId}`);
    assert.equal(trial.workerId, 'successor');
    assert.ok(trial.events.some((e) => e.type === 'resumed' && e.message.includes(`epoch ${checkpointEpoch}`)), JSON.stringify(trial.events));
  });

  it('falls back to the previous checkpoint when the newest is corrupt, and records it', async () => {
    const first = startWorker('first');
    const sweep = await submit(tinySweep({ budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 6 }, searchSpace: { hiddenUnits: 16, batchSize: 128 } }));
    const trialId = (await get<{ items: TrialDto[] }>(`/sweeps/${sweep.id}/trials`)).items[0].id;
    await waitFor('the trial has two checkpoints', async () => ((await get<TrialDto>(`/trials/${trialId}`)).lastEpoch ?? 0) >= 2);
    first.child.kill('SIGTERM');
    await first.exit();
    const { rows } = await db.query(`UPDATE checkpoints SET bytes = 'not a checkpoint' WHERE trial_id = $1 AND epoch = (SELECT max(epoch) FROM checkpoints WHERE trial_id = $1) RETURNING epoch`, [trialId]);
    const corrupted = rows[0].epoch as number;

    startWorker('second');
    await waitForSweep(sweep.id);
    const trial = await get<TrialDto>(`/trials/${trialId}`);
    assert.equal(trial.status, 'completed');
    assert.ok(trial.events.some((e) => e.type === 'checkpoint-fallback' && e.message.includes(`epoch ${corrupted}`)), JSON.stringify(trial.events));
    assert.ok(trial.events.some((e) => e.type === 'resumed' && e.message.includes(`epoch ${corrupted - 1}`)), JSON.stringify(trial.events));
    const counts = await db.query(`SELECT count(*)::int AS n FROM metric_points WHERE trial_id = $1 AND name = 'val_mae'`, [trialId]);
    assert.equal(counts.rows[0].n, 6);
  });

  it('trains on an uploaded CSV time series', async () => {
    const lines = ['day,visitors,promo'];
    for (let i = 0; i < 300; i++) lines.push(`${new Date(Date.UTC(2023, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},${200 + 50 * Math.sin((2 * Math.PI * i) / 7) + (i % 30 === 0 ? 80 : 0)},${i % 30 === 0 ? 1 : 0}`);
    const upload = await adminFetch(`${api}/datasets?name=visitors`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: lines.join('\n') });
    assert.equal(upload.status, 201);
    const { id } = (await upload.json()) as { id: string };
    startWorker('csv-worker');
    const sweep = await submit(
      tinySweep({
        dataset: { source: 'upload', id, target: 'visitors', features: ['promo'], window: 14, horizon: 2, validationSplit: 0.25 },
        budget: { maxTrials: 2, maxConcurrent: 2, maxEpochsPerTrial: 2 },
      }),
    );
    const done = await waitForSweep(sweep.id);
    assert.equal(done.trialCounts.completed, 2);
    assert.ok(done.best, 'the completed sweep has no best trial');
    const metrics = await get<{ metrics: Record<string, { values: number[] }> }>(`/trials/${done.best.trialId}/metrics?names=val_mae,seasonal_naive_val_mae`);
    assert.equal(metrics.metrics.val_mae.values.length, 2);
    assert.ok(metrics.metrics.seasonal_naive_val_mae.values[0] > 0);
  });

  it('fails the job of a trial that no longer exists for good, and keeps working', async () => {
    const sweep = await submit(tinySweep({ budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 1 } }));
    const trialId = (await get<{ items: TrialDto[] }>(`/sweeps/${sweep.id}/trials`)).items[0].id;
    await db.query(`DELETE FROM sweeps WHERE id = $1`, [sweep.id]);
    const worker = startWorker('survivor');
    const queue = stack.queue();
    try {
      await waitFor('the orphan job has failed', async () => (await queue.getJobState(trialId)) === 'failed');
      const job = await queue.getJob(trialId);
      assert.ok(job, `job ${trialId} is no longer in the queue`);
      assert.match(job.failedReason, /no longer exists/);
      assert.equal(job.attemptsMade, 1, 'a permanent failure is not retried');
    } finally {
      await queue.close();
    }
    const next = await waitForSweep((await submit(tinySweep({ budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 1 } }))).id);
    assert.equal(next.trialCounts.completed, 1);
    assert.ok(worker.running);
  });

  const engine = loadEngine();
  const noEngine = engine.available ? false : `the native engine is not available: ${engine.reason}`;

  it('trains on the native engine when asked, and records native-cpu on the trials and the worker', { skip: noEngine }, async () => {
    startWorker('native-worker', { TRAIN_ENGINE: 'native' });
    const sweep = await waitForSweep((await submit(tinySweep({ budget: { maxTrials: 2, maxConcurrent: 2, maxEpochsPerTrial: 3 } }))).id);
    assert.equal(sweep.trialCounts.completed, 2);
    const trials = (await get<{ items: TrialDto[] }>(`/sweeps/${sweep.id}/trials`)).items;
    assert.ok(trials.every((t) => t.backend === 'native-cpu' && t.lastEpoch === 3 && t.bestMetric !== null), JSON.stringify(trials));
    assert.ok(trials.every((t) => t.events.some((e) => e.type === 'started' && e.message.includes('(native-cpu)'))));
    const live = await get<{ items: { id: string; backend: string }[] }>('/workers');
    // Workers of earlier tests (one killed -9) stay listed until their heartbeat is 30 s old.
    assert.equal(live.items.find((w) => w.id === 'native-worker')?.backend, 'native-cpu', JSON.stringify(live.items));
    const modelJson = await adminFetch(`${api}/trials/${trials[0].id}/checkpoints/latest`);
    assert.equal(modelJson.status, 200, 'the engine writes checkpoints the API serves as a tf.loadLayersModel model');
  });

  it('sweeps the cell (lstm, gru, rnn) on the native engine, and each trial hands over a model of its cell', { skip: noEngine }, async () => {
    startWorker('native-cells', { TRAIN_ENGINE: 'native' });
    const spec = tinySweep({ algorithm: { type: 'grid' }, searchSpace: { cell: { type: 'choice', values: ['lstm', 'gru', 'rnn'] }, hiddenUnits: 8, batchSize: 512 } });
    const sweep = await waitForSweep((await submit({ ...spec, budget: { maxTrials: 3, maxConcurrent: 3, maxEpochsPerTrial: 2 } })).id);
    assert.equal(sweep.trialCounts.completed, 3);
    const trials = (await get<{ items: TrialDto[] }>(`/sweeps/${sweep.id}/trials`)).items;
    assert.deepEqual(trials.map((t) => t.config.hyperparameters.cell).sort(), ['gru', 'lstm', 'rnn']);
    for (const trial of trials) {
      assert.equal(trial.backend, 'native-cpu');
      const model = (await (await adminFetch(`${api}/trials/${trial.id}/checkpoints/latest`)).json()) as { modelTopology: { config: { layers: { class_name: string }[] } } };
      const layers = model.modelTopology.config.layers.map((layer) => layer.class_name);
      assert.equal(layers[0], { lstm: 'LSTM', gru: 'GRU', rnn: 'SimpleRNN' }[String(trial.config.hyperparameters.cell)], JSON.stringify(layers));
    }
  });

  it('resumes a trial that tfjs checkpointed on the native engine after kill -9', { skip: noEngine }, async () => {
    const victim = startWorker('tfjs-victim');
    const sweep = await submit(tinySweep({ budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 6 }, searchSpace: { hiddenUnits: 16, batchSize: 128 } }));
    const trialId = (await get<{ items: TrialDto[] }>(`/sweeps/${sweep.id}/trials`)).items[0].id;
    await waitFor('the trial has a checkpoint of epoch 2', async () => ((await get<TrialDto>(`/trials/${trialId}`)).lastEpoch ?? 0) >= 2);
    await victim.stop('SIGKILL');
    startWorker('native-rescuer', { TRAIN_ENGINE: 'native' });
    await waitForSweep(sweep.id);
    const trial = await get<TrialDto>(`/trials/${trialId}`);
    assert.equal(trial.status, 'completed');
    assert.equal(trial.workerId, 'native-rescuer');
    assert.equal(trial.backend, 'native-cpu');
    assert.ok(trial.events.some((e) => e.type === 'resumed' && /epoch [2-5]/.test(e.message)), JSON.stringify(trial.events));
    const { rows } = await db.query(`SELECT count(DISTINCT epoch)::int AS epochs FROM metric_points WHERE trial_id = $1 AND name = 'val_mae'`, [trialId]);
    assert.equal(rows[0].epochs, 6);
  });

  it('stops a running trial when its sweep is cancelled', async () => {
    startWorker('cancelled-worker');
    const sweep = await submit(tinySweep({ budget: { maxTrials: 3, maxConcurrent: 1, maxEpochsPerTrial: 20 }, searchSpace: { hiddenUnits: 16, batchSize: 128 } }));
    const trialId = (await get<{ items: TrialDto[] }>(`/sweeps/${sweep.id}/trials`)).items[0].id;
    await waitFor('a worker is training the trial', async () => {
      const live = await get<{ items: { runningTrialIds: string[] }[] }>('/workers');
      return live.items.some((w) => w.runningTrialIds.includes(trialId));
    });
    const cancel = await adminFetch(`${api}/sweeps/${sweep.id}/cancel`, { method: 'POST' });
    assert.equal(cancel.status, 200);
    await waitFor('the worker has let go of the trial', async () => {
      const live = await get<{ items: { runningTrialIds: string[] }[] }>('/workers');
      return live.items.every((w) => !w.runningTrialIds.includes(trialId));
    });
    const trial = await get<TrialDto>(`/trials/${trialId}`);
    assert.equal(trial.status, 'cancelled');
    assert.ok((trial.lastEpoch ?? 0) < 20);
    const after = await get<SweepDto>(`/sweeps/${sweep.id}`);
    assert.equal(after.status, 'cancelled');
    assert.equal(after.trialsCreated, 1, 'no new trial after a cancel');
  });
});
