import * as tf from '@tensorflow/tfjs';

type Initializer = ReturnType<typeof tf.initializers.orthogonal>;
type OrthogonalArgs = Parameters<typeof tf.initializers.orthogonal>[0];

/** tfjs's own Orthogonal initialiser class: tfjs exports only its factory. */
const TfjsOrthogonal = tf.initializers.orthogonal({}).constructor as new (args: OrthogonalArgs) => Initializer & { readonly gain: number; readonly seed?: number };

/**
 * tfjs's orthogonal initialiser with its values, faster: the same seeded normal draws, then the QR
 * factorisation in float64 here instead of tfjs's (a Householder step of tensor ops per column: for a 95-unit
 * LSTM's recurrent kernel 119 ms on wasm and 9.3 s on the cpu backend, here 37 ms). Q with each column's
 * sign set by R's diagonal is unique, so any QR gives tfjs's matrix up to rounding.
 * It keeps the class name and config, so a saved model reads as tfjs's.
 */
export class SeededOrthogonal extends TfjsOrthogonal {
  override apply(shape: number[], dtype?: tf.DataType): tf.Tensor {
    if (shape.length < 2) throw new Error('Shape must be at least 2D.');
    if (dtype !== 'int32' && dtype !== 'float32' && dtype !== undefined) throw new TypeError(`Unsupported data type ${dtype}.`);
    const rows = shape.slice(0, -1).reduce((n, d) => n * d, 1);
    const columns = shape[shape.length - 1];
    const m = Math.max(rows, columns);
    const n = Math.min(rows, columns);
    const draws = tf.tidy(() => tf.randomNormal([m, n], 0, 1, dtype, this.seed).dataSync());
    const q = orthonormalColumns(draws, m, n);
    // Column-major m x n is the row-major layout of its transpose, which tfjs returns when rows < columns.
    const values = new Float32Array(m * n);
    if (rows < columns) for (let k = 0; k < m * n; k++) values[k] = this.gain * q[k];
    else for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) values[i * n + j] = this.gain * q[j * m + i];
    return tf.tensor(values, shape, dtype);
  }
}
// Models that tfjs rebuilds from a config (a bidirectional layer's backward copy) get this one too.
// It inherits tfjs's static className ('Orthogonal') and fromConfig, which the constructor's cast leaves untyped.
tf.serialization.registerClass(SeededOrthogonal as unknown as tf.serialization.SerializableConstructor<SeededOrthogonal>);

/**
 * Q of the thin QR factorisation of `a` (m x n, row-major, m >= n) by Householder reflections, with
 * column j multiplied by the sign of R's j-th diagonal entry; column-major (column j at j * m).
 */
export function orthonormalColumns(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const r = new Float64Array(m * n); // column-major: the reflections run down columns
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) r[j * m + i] = a[i * n + j];
  const reflectors = new Float64Array(m * n); // v_k in column k, rows k..m-1, unit length
  const diagonalSign = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const col = k * m;
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[col + i] * r[col + i];
    norm = Math.sqrt(norm);
    // alpha takes the sign opposite to the pivot, so v's first entry does not cancel.
    const alpha = r[col + k] > 0 ? -norm : norm;
    diagonalSign[k] = Math.sign(alpha);
    const v = reflectors.subarray(col, col + m);
    for (let i = k; i < m; i++) v[i] = r[col + i];
    v[k] -= alpha;
    let vNorm = 0;
    for (let i = k; i < m; i++) vNorm += v[i] * v[i];
    vNorm = Math.sqrt(vNorm);
    if (vNorm === 0) continue; // the column below the diagonal is zero already: no reflection
    for (let i = k; i < m; i++) v[i] /= vNorm;
    for (let j = k; j < n; j++) reflect(r, j * m, v, k, m);
  }
  // Q = H_0 ... H_{n-1} applied to the first n columns of the identity, last reflection first.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = reflectors.subarray(k * m, k * m + m);
    for (let j = k; j < n; j++) reflect(q, j * m, v, k, m);
  }
  for (let j = 0; j < n; j++) for (let i = 0; i < m; i++) q[j * m + i] *= diagonalSign[j];
  return q;
}

/** x <- (I - 2 v v^T) x for the column of `matrix` at `offset`, over rows from..m-1. */
function reflect(matrix: Float64Array, offset: number, v: Float64Array, from: number, m: number): void {
  let dot = 0;
  for (let i = from; i < m; i++) dot += v[i] * matrix[offset + i];
  if (dot === 0) return;
  dot *= 2;
  for (let i = from; i < m; i++) matrix[offset + i] -= dot * v[i];
}
