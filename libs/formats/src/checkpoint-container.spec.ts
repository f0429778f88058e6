import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkpointModelWeights,
  CorruptCheckpointError,
  decodeCheckpoint,
  encodeCheckpointContainer,
  toLayersModelFiles,
  type WeightSpec,
} from './checkpoint-container';

const STATE = { epoch: 1, seed: 1, bestMetric: null };

function checkpointOf(weightSpecs: WeightSpec[], values: number[]) {
  const weightData = Float32Array.from(values).buffer as ArrayBuffer;
  return decodeCheckpoint(encodeCheckpointContainer({ modelTopology: {}, weightSpecs, weightData }, STATE));
}

describe('checkpointModelWeights', () => {
  it("gives the model's weights in order as float32 values, leaving the optimizer's state out, as the export does", () => {
    const checkpoint = checkpointOf(
      [
        { name: 'lstm/kernel', shape: [1, 2], dtype: 'float32' },
        { name: 'iter', shape: [], dtype: 'float32', group: 'optimizer' },
        { name: 'dense/bias', shape: [1], dtype: 'float32' },
      ],
      [0.5, -1, 7, 2.25],
    );
    const weights = checkpointModelWeights(checkpoint);
    assert.deepEqual(
      weights.map((w) => [w.name, w.shape, [...w.values]]),
      [
        ['lstm/kernel', [1, 2], [0.5, -1]],
        ['dense/bias', [1], [2.25]],
      ],
    );
    assert.deepEqual([...new Float32Array(Uint8Array.from(toLayersModelFiles(checkpoint).weights).buffer)], [0.5, -1, 2.25]);
  });

  it('refuses weights the buffer does not hold, and model weights that are not float32, naming the weight', () => {
    const short = checkpointOf([{ name: 'lstm/kernel', shape: [4], dtype: 'float32' }], [1, 2]);
    assert.throws(
      () => checkpointModelWeights(short),
      (error: Error) => error instanceof CorruptCheckpointError && /the weights end before 'lstm\/kernel'/.test(error.message),
    );
    const ints = checkpointOf([{ name: 'counts', shape: [1], dtype: 'int32' }], [1]);
    assert.throws(() => checkpointModelWeights(ints), /model weight 'counts' is int32, not float32/);
  });
});
