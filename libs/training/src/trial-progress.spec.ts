import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TrialConfig } from '@tuneforge/contracts';
import type { DecodedCheckpoint } from '@tuneforge/formats';
import type { EpochMetrics } from './trainer';
import { bestSoFar, TrialProgress } from './trial-progress';

const config = (hyperparameters: TrialConfig['hyperparameters']): TrialConfig => ({
  model: 'lstm',
  dataset: { source: 'builtin', name: 'us-births-1969-1988' },
  hyperparameters: { learningRate: 0.01, ...hyperparameters },
  maxEpochs: 10,
  checkpointEvery: 1,
});
const MINIMIZE_VAL_LOSS = { metric: 'val_loss', direction: 'minimize' } as const;

/** Trains epochs with these val_loss values, recording the epoch and rate each was trained with. */
async function trainThrough(progress: TrialProgress, valLosses: number[]): Promise<{ epoch: number; learningRate: number; metrics: EpochMetrics }[]> {
  const seen = [];
  for (const valLoss of valLosses) {
    let trained = { epoch: 0, learningRate: 0 };
    const metrics = await progress.next(async (epoch, learningRate) => {
      trained = { epoch, learningRate };
      return { loss: 2 * valLoss, val_loss: valLoss };
    });
    seen.push({ ...trained, metrics });
  }
  return seen;
}

describe(TrialProgress.name, () => {
  it('trains each next epoch at the schedule’s rate, adds it to the metrics, and keeps the best value', async () => {
    const progress = TrialProgress.of(config({ lrSchedule: 'step', lrDecay: 0.5, lrStepEpochs: 2 }), MINIMIZE_VAL_LOSS, 7);
    const seen = await trainThrough(progress, [1.0, 0.8, 0.9]);
    assert.deepEqual(seen.map((s) => s.epoch), [1, 2, 3]);
    assert.deepEqual(seen.map((s) => s.learningRate), [0.01, 0.01, 0.005]);
    assert.deepEqual(seen.map((s) => s.metrics.learning_rate), [0.01, 0.01, 0.005]);
    assert.deepEqual([progress.epoch, progress.bestMetric], [3, 0.8]);
    assert.deepEqual(progress.state, { epoch: 3, seed: 7, bestMetric: 0.8, plateau: undefined });
  });

  it('resumes where a checkpoint left it: epoch, best value and the plateau schedule’s state', async () => {
    const plateau = config({ lrSchedule: 'plateau', lrPatience: 1, lrDecay: 0.5 });
    const first = TrialProgress.of(plateau, MINIMIZE_VAL_LOSS, 3);
    await trainThrough(first, [1.0, 1.1]);
    const checkpoint = { state: first.state } as DecodedCheckpoint;
    const resumed = TrialProgress.of(plateau, MINIMIZE_VAL_LOSS, 3, checkpoint);
    assert.deepEqual([resumed.epoch, resumed.bestMetric], [2, 1.0]);
    const [[fromFirst], [fromResumed]] = [await trainThrough(first, [1.2]), await trainThrough(resumed, [1.2])];
    assert.deepEqual(fromResumed, fromFirst);
    assert.equal(fromResumed.learningRate, 0.005, 'the plateau decayed after one epoch without a better val_loss');
  });

  it('fails the epoch when training fails, and moves nothing on', async () => {
    const progress = TrialProgress.of(config({}), MINIMIZE_VAL_LOSS, 1);
    await assert.rejects(progress.next(() => Promise.reject(new Error('out of memory'))), /out of memory/);
    assert.deepEqual([progress.epoch, progress.bestMetric], [0, null]);
  });
});

describe(bestSoFar.name, () => {
  it('keeps the better value for the direction, ignoring a missing or non-finite one', () => {
    assert.equal(bestSoFar(MINIMIZE_VAL_LOSS, null, { val_loss: 0.5 }), 0.5);
    assert.equal(bestSoFar(MINIMIZE_VAL_LOSS, 0.4, { val_loss: 0.5 }), 0.4);
    assert.equal(bestSoFar({ metric: 'val_accuracy', direction: 'maximize' }, 0.4, { val_accuracy: 0.5 }), 0.5);
    assert.equal(bestSoFar(MINIMIZE_VAL_LOSS, 0.4, { val_loss: NaN }), 0.4);
    assert.equal(bestSoFar(MINIMIZE_VAL_LOSS, null, { loss: 0.1 }), null);
  });
});
