import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { before, describe, it } from 'node:test';
import type * as tf from '@tensorflow/tfjs';
import type { TrialConfig } from '@tuneforge/contracts';
import { selectBackend } from '../backend';
import { loadTrainingData, trainingDataFor } from './catalog';
import type { TrainingData } from './dataset';
import { DatasetTooShortError, singleColumnSeries } from './forecast.dataset';

const births = (window: number): TrialConfig['dataset'] => ({ source: 'builtin', name: 'us-births-1969-1988', window, horizon: 1, validationSplit: 0.2, testSplit: 0.1 });
const sotu = (window: number, maxChars: number): TrialConfig['dataset'] => ({ source: 'builtin', name: 'sotu', window, maxChars, validationSplit: 0.2, testSplit: 0.1 });

/** Every tensor's shape, dtype and values, and the rest of the data as it is. */
async function contentOf(data: TrainingData): Promise<unknown> {
  const { trainX, trainY, valX, valY, ...rest } = data;
  const tensor = async (t: tf.Tensor) => ({ shape: t.shape, dtype: t.dtype, values: Buffer.from((await t.data()).buffer) });
  return { ...rest, trainX: await tensor(trainX), trainY: await tensor(trainY), valX: await tensor(valX), valY: await tensor(valY) };
}

describe(loadTrainingData.name, () => {
  before(async () => {
    await selectBackend(process.env.TF_BACKEND ?? 'wasm');
  });

  it('gives the data trainingDataFor builds on this thread, births and the State of the Union alike', async () => {
    for (const [dataset, other] of [[births(14), births(21)], [sotu(32, 20_000), sotu(33, 20_000)]]) {
      // Two settings, so that neither answer comes from the other's cache.
      const [offThread, here] = [await loadTrainingData(dataset), trainingDataFor(other)];
      const expected = await contentOf(here);
      const actual = await contentOf(offThread);
      assert.notDeepEqual(actual, expected);
      assert.deepEqual(await contentOf(trainingDataFor(dataset)), actual, 'the cache holds what it loaded');
      assert.deepEqual(await contentOf(await loadTrainingData(other)), expected);
      assert.equal(await loadTrainingData(dataset), await loadTrainingData(dataset));
    }
  });

  it('fails a series too short for the window with DatasetTooShortError', async () => {
    const uploaded = singleColumnSeries(Array.from({ length: 30 }, (_, t) => t));
    const dataset: TrialConfig['dataset'] = { source: 'upload', id: '00000000-0000-0000-0000-000000000000', target: 'y', features: [], window: 28, horizon: 1, validationSplit: 0.2, testSplit: 0.1 };
    await assert.rejects(() => loadTrainingData(dataset, uploaded), (error: Error) => error instanceof DatasetTooShortError && /too few for window 28/.test(error.message));
  });

  it('keeps the event loop responsive while the State of the Union corpus loads and is windowed', async () => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const data = await loadTrainingData(sotu(64, 200_000));
    delay.disable();
    assert.equal(data.task, 'text');
    // On this thread this blocks for 2-4 s; off it, for the tensors' copies (tens of ms). 1 s allows for a loaded machine.
    assert.ok(delay.max / 1e6 < 1_000, `the event loop was blocked for ${Math.round(delay.max / 1e6)} ms`);
  });
});
