import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { TrialConfig } from '@tuneforge/contracts';
import { decodeCheckpoint } from '@tuneforge/formats';
import { loadEngine } from '@tuneforge/lstm-engine';
import { recordingsCsv } from '@tuneforge/testing';
import { NativeTrialSession, selectBackend, trainingDataFor, TrialSession, uploadedDataFromCsv } from '@tuneforge/training';

const engine = loadEngine();
const relativeGap = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

/** A classifier of an uploaded table's sequences of feature rows, on both engines (the recordings come from libs/testing). */
describe('a series classifier of an uploaded table', { skip: engine.available ? false : `the native engine is not available: ${engine.reason}` }, () => {
  before(async () => {
    await selectBackend(process.env.TF_BACKEND ?? 'wasm');
  });

  it('classifies uploaded sequences of feature rows as tfjs does, and a checkpoint of either engine resumes on the other', async () => {
    const dataset = { source: 'upload', task: 'classify', id: 'recordings', label: 'activity', features: ['x', 'y'], sequence: 'recording', maxLength: 20, validationSplit: 0.2, testSplit: 0.2 };
    const recordings = trainingDataFor(dataset, uploadedDataFromCsv(recordingsCsv(150), dataset));
    assert.equal(recordings.task === 'classify' && recordings.input, 'series');
    assert.deepEqual(recordings.trainX.shape, [90, 12, 2]);
    const config: TrialConfig = {
      model: 'lstm',
      dataset,
      hyperparameters: { cell: 'gru', hiddenUnits: 8, layers: 1, dropout: 0, recurrentDropout: 0, learningRate: 0.02, batchSize: 16 },
      maxEpochs: 8,
      checkpointEvery: 1,
    };
    const objective = { metric: 'val_accuracy', direction: 'maximize' } as const;
    const native = await NativeTrialSession.open(recordings, config, 4, objective);
    const tfjs = await TrialSession.open(recordings, config, 4, objective);
    const [ours, theirs] = [await native.trainNextEpoch(), await tfjs.trainNextEpoch()];
    assert.ok(relativeGap(ours.loss, theirs.loss) < 1e-3, `loss ${ours.loss} vs tfjs ${theirs.loss}`);
    assert.ok(!('bag_of_chars_val_accuracy' in ours), 'no bag of characters for feature rows');
    const fromNative = decodeCheckpoint(await native.checkpoint());
    const [nativeNext] = [await native.trainNextEpoch()];
    const onTfjs = await TrialSession.open(recordings, config, 4, objective, fromNative);
    assert.ok(relativeGap((await onTfjs.trainNextEpoch()).loss, nativeNext.loss) < 1e-3, 'tfjs resumes the engine as it would have gone on');
    for (let epoch = 0; epoch < 6; epoch++) await native.trainNextEpoch();
    const { metrics: test, confusion } = await native.scoreOnTest(() => native.checkpoint());
    assert.deepEqual(confusion?.classes, ['idle', 'run', 'walk']);
    assert.ok(test.test_accuracy > test.majority_test_accuracy + 0.2, `eight epochs tell the motions apart: ${JSON.stringify(test)}`);
    for (const session of [native, tfjs, onTfjs]) session.dispose();
  });


  it('reads a text column as a character classifier, with the split the coordinator checked', () => {
    const csv = ['body,label', ...Array.from({ length: 60 }, (_, i) => `${i % 2 ? 'win a prize' : 'lunch at noon'} ${i},${i % 2 ? 'spam' : 'ham'}`)].join('\n');
    const dataset = { source: 'upload', task: 'classify', id: 'messages', label: 'label', text: 'body', features: [], maxLength: 40, validationSplit: 0.2, testSplit: 0.2 };
    const uploaded = uploadedDataFromCsv(csv, dataset);
    const data = trainingDataFor(dataset, uploaded);
    assert.ok(data.task === 'classify' && data.input === 'characters');
    assert.deepEqual(data.classes, ['ham', 'spam']);
    assert.deepEqual([data.trainX.shape[0], data.valX.shape[0], data.testX.shape[0]], [36, 12, 12]);
    assert.equal(data.trainX.shape[1], 'lunch at noon 58'.length, 'padded to the longest text');
    assert.ok('bag_of_chars_test_accuracy' in data.baselines);
  });
});
