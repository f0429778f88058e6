import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Client } from 'pg';
import type { SweepDto, SweepSpecInput, TrialDto } from '@tuneforge/contracts';
import { deriveTrialSeed, sampleRandom } from '@tuneforge/search';
import { E2eStack } from './support/e2e-stack';
import { adminFetch, waitFor } from '@tuneforge/testing';

function simulatedSweep(overrides: Partial<SweepSpecInput> = {}): SweepSpecInput {
  return {
    name: 'simulated',
    dataset: { source: 'builtin', name: 'us-births-1969-1988', window: 14, horizon: 1 },
    model: 'simulated',
    objective: { metric: 'val_loss', direction: 'minimize' },
    searchSpace: {
      hiddenUnits: { type: 'int', min: 8, max: 256, log: true },
      learningRate: { type: 'float', min: 0.0001, max: 0.1, log: true },
      dropout: { type: 'float', min: 0, max: 0.5 },
    },
    algorithm: { type: 'random' },
    budget: { maxTrials: 12, maxConcurrent: 4, maxEpochsPerTrial: 9 },
    checkpointEvery: 3,
    seed: 5,
    ...overrides,
  };
}

describe('early stopping and budgets with the simulated model family (separate processes)', () => {
  const stack = new E2eStack('stopping', { TF_BACKEND: 'cpu' });
  const startWorker = (id: string, concurrency: number, epochMs = 0) =>
    stack.startWorker(id, { WORKER_CONCURRENCY: String(concurrency), SIMULATED_EPOCH_MS: String(epochMs), METRICS_FLUSH_MS: '50' });
  const submit = (spec: SweepSpecInput) => stack.submit(spec);
  const get = <T>(path: string) => stack.get<T>(path);
  const ended = (id: string) => stack.waitForSweep(id);
  const allTrials = async (id: string) => (await get<{ items: TrialDto[] }>(`/sweeps/${id}/trials?limit=500&sort=number`)).items;
  let db: Client;

  before(async () => {
    await stack.start();
    db = stack.db;
  });
  afterEach(() => stack.stopWorkers());
  after(() => stack.close());

  it('prunes with ASHA at its rungs, recording rung and reason, and still runs exactly maxTrials', async () => {
    startWorker('asha-worker', 4);
    const sweep = await ended((await submit(simulatedSweep({ earlyStopping: { type: 'asha', minEpochs: 1, reductionFactor: 3 } }))).id);
    const trials = await allTrials(sweep.id);
    assert.equal(trials.length, 12);
    assert.equal(sweep.trialCounts.completed + sweep.trialCounts.pruned, 12);
    const pruned = trials.filter((t) => t.status === 'pruned');
    assert.ok(pruned.length >= 3, `${pruned.length} pruned`);
    for (const trial of pruned) {
      assert.ok(trial.prunedRung === 0 || trial.prunedRung === 1, `rung ${trial.prunedRung}`);
      assert.equal(trial.lastEpoch, [1, 3][trial.prunedRung]);
      assert.match(trial.statusReason ?? '', /^stopped at rung [01] \(epoch [13]\): val_loss .* is outside the best \d+ of \d+/);
      assert.equal(trial.backend, 'simulated');
    }
    assert.ok(trials.filter((t) => t.status === 'completed').every((t) => t.lastEpoch === 9));
  });

  it('keeps the budget exact with 8 concurrent worker slots and median stopping', async () => {
    startWorker('slots-a', 4);
    startWorker('slots-b', 4);
    const sweep = await ended(
      (await submit(simulatedSweep({ earlyStopping: { type: 'median', warmupEpochs: 2, minTrials: 3 }, budget: { maxTrials: 40, maxConcurrent: 8, maxEpochsPerTrial: 6 } }))).id,
    );
    const { rows } = await db.query(`SELECT count(*)::int AS n, count(DISTINCT number)::int AS numbers, max(number) AS last FROM trials WHERE sweep_id = $1`, [sweep.id]);
    assert.deepEqual(rows[0], { n: 40, numbers: 40, last: 39 });
    assert.equal(sweep.trialsCreated, 40);
    assert.equal(sweep.trialCounts.completed + sweep.trialCounts.pruned, 40);
    assert.ok(sweep.trialCounts.pruned > 0);
    const duplicates = await db.query(
      `SELECT count(*)::int AS n FROM (SELECT trial_id, name, epoch FROM metric_points mp JOIN trials t ON t.id = mp.trial_id WHERE t.sweep_id = $1 GROUP BY 1, 2, 3 HAVING count(*) > 1) d`,
      [sweep.id],
    );
    assert.equal(duplicates.rows[0].n, 0);
  });

  it('finishes with the same number of trials when the coordinator is killed mid-sweep and restarted', async () => {
    startWorker('restart-worker', 4, 40);
    const sweep = await submit(simulatedSweep({ budget: { maxTrials: 16, maxConcurrent: 4, maxEpochsPerTrial: 5 } }));
    await waitFor('a few trials have ended', async () => (await get<SweepDto>(`/sweeps/${sweep.id}`)).trialCounts.completed >= 3);
    await stack.coordinator.stop('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // trials end while no coordinator listens
    await stack.startCoordinator();
    const done = await ended(sweep.id);
    assert.equal(done.trialsCreated, 16);
    assert.equal(done.trialCounts.total, 16);
    assert.equal(done.trialCounts.completed, 16);
  });

  it('runs TPE with ASHA to exactly maxTrials: random start-up, then suggestions from the results', async () => {
    startWorker('tpe-a', 4);
    startWorker('tpe-b', 4);
    const sweep = await ended(
      (
        await submit(
          simulatedSweep({
            algorithm: { type: 'tpe', startupTrials: 8 },
            earlyStopping: { type: 'asha', minEpochs: 1, reductionFactor: 3 },
            budget: { maxTrials: 48, maxConcurrent: 4, maxEpochsPerTrial: 9 },
          }),
        )
      ).id,
    );
    const trials = await allTrials(sweep.id);
    assert.equal(trials.length, 48);
    assert.equal(new Set(trials.map((t) => JSON.stringify(t.config.hyperparameters))).size, 48, 'no two trials share a config');
    // Start-up trials are the random draws of their seeds; later ones come from the model of the results.
    // Dimensions in the order the spec's hyperparameter catalogue gives them (the order draws are made in).
    const space = { hiddenUnits: { type: 'int', min: 8, max: 256, log: true }, dropout: { type: 'float', min: 0, max: 0.5 }, learningRate: { type: 'float', min: 0.0001, max: 0.1, log: true } } as const;
    const isRandomDraw = (t: TrialDto) => {
      const draw = sampleRandom(space, deriveTrialSeed(5, t.number));
      return Object.entries(draw).every(([k, v]) => t.config.hyperparameters[k] === v);
    };
    assert.ok(trials.slice(0, 8).every(isRandomDraw));
    // With 4 slots, trial n is created only after n - 4 trials ended: from trial 12 on, 8 results exist.
    assert.ok(trials.slice(12).every((t) => !isRandomDraw(t)), 'TPE suggested the trials after start-up');
  });

  it('serves the Pareto front of val_loss against parameter count', async () => {
    startWorker('pareto-worker', 4);
    const sweep = await ended(
      (
        await submit(
          simulatedSweep({
            paretoObjectives: [
              { metric: 'val_loss', direction: 'minimize' },
              { metric: 'param_count', direction: 'minimize' },
            ],
            budget: { maxTrials: 12, maxConcurrent: 4, maxEpochsPerTrial: 3 },
          }),
        )
      ).id,
    );
    const pareto = await get<{ front: { values: Record<string, number> }[]; trialsCompared: number }>(`/sweeps/${sweep.id}/pareto`);
    assert.equal(pareto.trialsCompared, 12);
    assert.ok(pareto.front.length >= 1 && pareto.front.length <= 12);
    for (let i = 1; i < pareto.front.length; i++) {
      // Along the front, a better val_loss costs parameters.
      assert.ok(pareto.front[i].values.val_loss >= pareto.front[i - 1].values.val_loss);
      assert.ok(pareto.front[i].values.param_count < pareto.front[i - 1].values.param_count);
    }
    assert.equal((await adminFetch(`${stack.api}/sweeps/0b7e1c7e-0000-4000-8000-000000000000/pareto`)).status, 404);
  });
});

