import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { switchesBackends } from '../test/support/backend-hooks';
import { orthonormalColumns, SeededOrthogonal } from './seeded-orthogonal';

/** tfjs's own initialiser, as `tf.initializers.orthogonal` builds it (not the registered replacement). */
const tfjsOrthogonal = (seed: number, gain?: number) => tf.initializers.orthogonal({ seed, gain });

function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}

describe(SeededOrthogonal.name, () => {
  switchesBackends();

  // A recurrent kernel is units x (gates x units): wide. Square, tall and a 3-d shape as tfjs allows them.
  const shapes: number[][] = [[16, 64], [24, 72], [95, 380], [12, 12], [40, 10], [3, 4, 5]];
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const shape of shapes) {
      it(`gives tfjs's values for [${shape.join(', ')}] on ${backend} (float32 rounding apart)`, async () => {
        await tf.setBackend(backend);
        const expected = tf.tidy(() => tfjsOrthogonal(7, 1.5).apply(shape, 'float32').dataSync());
        const sut = new SeededOrthogonal({ seed: 7, gain: 1.5 }).apply(shape, 'float32');
        assert.deepEqual(sut.shape, shape);
        assert.equal(sut.dtype, 'float32');
        assert.ok(largestDifference(sut.dataSync(), expected) < 2e-5, `largest difference ${largestDifference(sut.dataSync(), expected)}`);
        sut.dispose();
      });
    }
  }

  it('is orthonormal: QᵀQ = I for a tall matrix, QQᵀ = I for a wide one', () => {
    for (const [rows, columns] of [[50, 20], [20, 50]]) {
      const q = new SeededOrthogonal({ seed: 3 }).apply([rows, columns]);
      const product = tf.tidy(() => (rows >= columns ? tf.matMul(q, q, true, false) : tf.matMul(q, q, false, true)).dataSync());
      const identity = tf.tidy(() => tf.eye(Math.min(rows, columns)).dataSync());
      assert.ok(largestDifference(product, identity) < 1e-5);
      q.dispose();
    }
  });

  it('gives other values for another seed, the same for the same', () => {
    const draw = (seed: number) => tf.tidy(() => new SeededOrthogonal({ seed }).apply([8, 32]).dataSync());
    assert.deepEqual(draw(1), draw(1));
    assert.ok(largestDifference(draw(1), draw(2)) > 0.1);
  });

  it("serialises as tfjs's Orthogonal, and a model rebuilt from a config (a bidirectional layer's backward copy) uses it without tfjs's slowness warning", () => {
    const sut = new SeededOrthogonal({ seed: 5 });
    assert.equal(sut.getClassName(), 'Orthogonal');
    assert.deepEqual(sut.getConfig(), { gain: 1, seed: 5 });
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warnings.push(args.join(' '));
    try {
      const model = tf.sequential({
        layers: [tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 32, recurrentInitializer: sut }) as tf.RNN, inputShape: [4, 2] })],
      });
      model.dispose();
    } finally {
      console.warn = warn;
    }
    assert.deepEqual(warnings.filter((w) => /Orthogonal initializer/.test(w)), []);
  });

  it('refuses a shape of fewer than 2 dimensions and a data type other than float32 or int32', () => {
    assert.throws(() => new SeededOrthogonal({ seed: 1 }).apply([4]), /Shape must be at least 2D/);
    assert.throws(() => new SeededOrthogonal({ seed: 1 }).apply([4, 4], 'bool'), /Unsupported data type bool/);
  });

  it('orthonormalColumns leaves a zero column zero and keeps the others orthonormal', () => {
    // 3 x 2, row-major, second column zero.
    const q = orthonormalColumns([1, 0, 2, 0, 2, 0], 3, 2);
    const column = (j: number) => [...q.subarray(j * 3, j * 3 + 3)];
    assert.ok(column(1).every((v) => v === 0), `a zero column: ${column(1)}`);
    const norm = Math.hypot(...column(0));
    assert.ok(Math.abs(norm - 1) < 1e-12);
    assert.ok(column(0).every((v, i) => Math.abs(v - [1, 2, 2][i] / 3) < 1e-12), 'the first column is a / |a|, its sign kept');
  });
});
