import * as tf from '@tensorflow/tfjs';
import type { TrainingData } from './datasets/dataset';
import { buildRecurrentModel, recurrentModelShape, type RecurrentHyperparameters, type RecurrentModelShape } from './recurrent.model';
import { runOnSetupThread } from './setup-thread';

/** The tfjs backends the seeded initialisers run on off the main thread. */
export type SeededWeightsBackend = 'cpu' | 'wasm';

/**
 * Where the seeded initialisers run for a process whose tfjs backend is `backend`: the same backend
 * when it is cpu or wasm (same kernels, so the same values as building the model on this thread);
 * wasm for the native tfjs-node backends, which do not load on worker threads (tensorflow/tfjs#8388)
 * and would start a second TensorFlow runtime there.
 */
export function seededWeightsBackend(backend = tf.getBackend()): SeededWeightsBackend {
  return backend === 'cpu' ? 'cpu' : 'wasm';
}

/**
 * The initial weights `buildRecurrentModel(shape, hp, seed)` gives, computed on a worker thread: the seeded
 * initialisers block their thread (tfjs's orthogonal one for seconds to minutes; SeededOrthogonal still
 * about half a second for 256 units), and the worker's event loop must keep renewing job locks and
 * answering probes meanwhile.
 */
export function seededInitialWeights(shape: RecurrentModelShape, hp: RecurrentHyperparameters, seed: number, backend = seededWeightsBackend()): Promise<Float32Array[]> {
  return runOnSetupThread('seeded-weights', { shape, hp, seed, backend });
}

/**
 * Starts the setup thread now (its modules and the seeded-weights backend loaded: about half a second) so that a
 * worker's first trial does not wait for it; the thread still ends after its idle time without jobs.
 */
export function warmSetupThread(backend = seededWeightsBackend()): Promise<{ threadId: number }> {
  return runOnSetupThread('warm', { backend });
}

/** buildRecurrentModel's model, weights included, with its seeded initialisers run off this thread. */
export async function buildSeededRecurrentModel(data: TrainingData, hp: RecurrentHyperparameters, seed: number): Promise<tf.LayersModel> {
  const shape = recurrentModelShape(data);
  return buildRecurrentModel(shape, hp, seed, await seededInitialWeights(shape, hp, seed));
}
