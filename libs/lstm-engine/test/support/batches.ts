import type { LstmNetOptions } from '../../src';
import { readsIds } from './tfjs-reference';

/** A deterministic batch for the options: smooth features, or ids spread over the vocabulary. */
export function aBatch(options: LstmNetOptions, samples: number, salt = 0): { x: Float32Array; y: Float32Array } {
  const ids = readsIds(options);
  const text = options.task !== 'forecast';
  const x = Float32Array.from({ length: samples * options.timesteps * (ids ? 1 : options.inputSize) }, (_, i) =>
    ids ? (i * 7 + salt) % options.inputSize : Math.sin(i * 1.37 + salt),
  );
  const y = Float32Array.from({ length: text ? samples : samples * options.outputs }, (_, i) =>
    text ? (i * 5 + salt) % options.outputs : Math.cos(i * 0.9 + salt),
  );
  return { x, y };
}

/** max |a - b| / max |b|: the gap relative to the tensor's scale. */
export function relativeGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    gap = Math.max(gap, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return gap / Math.max(scale, 1e-12);
}

