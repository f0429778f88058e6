import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TrialEvent } from '@tuneforge/contracts';
import { waitFor } from '@tuneforge/testing';
import { E2eStack } from './support/e2e-stack';

/**
 * Fencing: each claim is a new attempt, and PostgreSQL takes a run's metrics, checkpoints and end only
 * while its attempt is the trial's current one. A run whose trial was claimed again stops at once.
 */
describe('fencing of trial runs by attempt (coordinator and worker processes)', () => {
  const stack = new E2eStack('fencing', { STRANDED_AFTER_MS: '600000' });
  before(() => stack.start());
  after(() => stack.close());

  const trialRow = async (id: string) =>
    (await stack.db.query(`SELECT status, attempts, last_epoch AS "lastEpoch", events FROM trials WHERE id = $1`, [id])).rows[0] as {
      status: string;
      attempts: number;
      lastEpoch: number | null;
      events: TrialEvent[];
    };
  const writes = async (id: string) =>
    (await stack.db.query(`SELECT (SELECT count(*) FROM metric_points WHERE trial_id = $1)::int AS points, (SELECT max(epoch) FROM checkpoints WHERE trial_id = $1) AS checkpoint`, [id]))
      .rows[0] as { points: number; checkpoint: number | null };

  it('stops a run whose trial another claim took over, and stores nothing of it afterwards', async () => {
    const worker = stack.startWorker('fenced', { SIMULATED_EPOCH_MS: '300', HEARTBEAT_MS: '500' });
    const sweep = await stack.submit({
      name: 'fenced',
      dataset: { source: 'builtin', name: 'us-births-1969-1988', window: 7, horizon: 1 },
      model: 'simulated',
      objective: { metric: 'val_loss', direction: 'minimize' },
      searchSpace: { learningRate: { type: 'float', min: 0.001, max: 0.01, log: true } },
      algorithm: { type: 'random' },
      budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 60 },
      seed: 3,
    });
    const [{ id }] = (await stack.db.query(`SELECT id FROM trials WHERE sweep_id = $1`, [sweep.id])).rows;
    await waitFor('the trial has trained a few epochs', async () => ((await trialRow(id)).lastEpoch ?? 0) >= 3);

    // What a second worker's claim does to the row: the next attempt takes the trial.
    await stack.db.query(`UPDATE trials SET attempts = attempts + 1 WHERE id = $1`, [id]);
    await waitFor('the superseded run stops', async () => /attempt 1 was superseded/.test(worker.output), 20_000);
    const frozen = await writes(id);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // five more epochs' time, had the run gone on
    assert.deepEqual(await writes(id), frozen, 'no metric point or checkpoint of the superseded run after it stopped');
    const row = await trialRow(id);
    assert.equal(row.status, 'running', 'the stale run did not end the trial: the current attempt owns it');
    assert.equal(row.attempts, 2);
    assert.ok(frozen.checkpoint !== null && frozen.checkpoint < 60, `checkpoint epoch ${frozen.checkpoint}`);
    assert.ok(worker.running, 'the worker itself goes on');
  });
});
