import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { TrainingData } from './datasets/dataset';
import { buildLstmModel, lstmModelShape, type LstmHyperparameters, type LstmModelShape } from './lstm.model';

/** The tfjs backends the seeded initialisers run on off the main thread. */
export type SeededWeightsBackend = 'cpu' | 'wasm';

/** What the initial-weights thread is asked. */
export interface SeededWeightsRequest {
  id: number;
  shape: LstmModelShape;
  hp: LstmHyperparameters;
  seed: number;
  backend: SeededWeightsBackend;
}

/** The thread's answer to request `id`: each weight's values in `model.getWeights()` order, or why it could not build them. */
export type SeededWeightsReply = { id: number } & ({ weights: Float32Array[] } | { error: Error });

// A TypeScript file: the thread inherits the process's `-r ./tools/register.js` (its execArgv), as tests, `npm run worker` and the images start node.
const THREAD = join(__dirname, 'seeded-weights.thread.ts');
/** An idle thread ends after this long (it holds a tfjs runtime, and a wasm heap at its high-water mark). */
const IDLE_MS = 30_000;

/**
 * Where the seeded initialisers run for a process whose tfjs backend is `backend`: the same backend
 * when it is cpu or wasm (same kernels, so the same values as building the model on this thread);
 * wasm for the native tfjs-node backends, which do not load on worker threads (tensorflow/tfjs#8388)
 * and would start a second TensorFlow runtime there.
 */
export function seededWeightsBackend(backend = tf.getBackend()): SeededWeightsBackend {
  return backend === 'cpu' ? 'cpu' : 'wasm';
}

interface Waiting {
  resolve(weights: Float32Array[]): void;
  reject(error: Error): void;
}

/**
 * One worker thread, started on the first request (starting one and loading tfjs there costs about a
 * second), answering requests in turn. It does not keep the process alive while idle, and ends after
 * IDLE_MS without requests; a thread that fails fails its waiting requests and the next request starts another.
 */
class SeededWeightsThread {
  private current?: { thread: Worker; waiting: Map<number, Waiting>; idle?: NodeJS.Timeout };
  private nextId = 0;

  request(shape: LstmModelShape, hp: LstmHyperparameters, seed: number, backend: SeededWeightsBackend): Promise<Float32Array[]> {
    const current = this.current ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      clearTimeout(current.idle);
      current.waiting.set(id, { resolve, reject });
      current.thread.ref();
      current.thread.postMessage({ id, shape, hp, seed, backend } satisfies SeededWeightsRequest);
    });
  }

  private start(): NonNullable<SeededWeightsThread['current']> {
    const current: NonNullable<SeededWeightsThread['current']> = { thread: new Worker(THREAD), waiting: new Map() };
    const fail = (error: Error) => {
      if (this.current === current) this.current = undefined;
      clearTimeout(current.idle);
      for (const waiting of current.waiting.values()) waiting.reject(error);
      current.waiting.clear();
    };
    current.thread.on('message', (reply: SeededWeightsReply) => {
      const waiting = current.waiting.get(reply.id);
      current.waiting.delete(reply.id);
      if ('error' in reply) waiting?.reject(reply.error);
      else waiting?.resolve(reply.weights);
      if (current.waiting.size > 0) return;
      current.thread.unref();
      current.idle = setTimeout(() => {
        if (this.current === current) this.current = undefined;
        void current.thread.terminate();
      }, IDLE_MS).unref();
    });
    current.thread.on('error', fail);
    current.thread.on('exit', (code) => fail(new Error(`the initial-weights thread exited (code ${code}) before it answered`)));
    this.current = current;
    return current;
  }
}

const thread = new SeededWeightsThread();

/**
 * The initial weights `buildLstmModel(shape, hp, seed)` gives, computed on a worker thread: the seeded
 * orthogonal initialiser blocks its thread for seconds to minutes (80 s for 256 units on the cpu
 * backend), and the worker's event loop must keep renewing job locks and answering probes meanwhile.
 */
export function seededInitialWeights(shape: LstmModelShape, hp: LstmHyperparameters, seed: number, backend = seededWeightsBackend()): Promise<Float32Array[]> {
  return thread.request(shape, hp, seed, backend);
}

/** buildLstmModel's model, weights included, with its seeded initialisers run off this thread. */
export async function buildSeededLstmModel(data: TrainingData, hp: LstmHyperparameters, seed: number): Promise<tf.LayersModel> {
  const shape = lstmModelShape(data);
  return buildLstmModel(shape, hp, seed, await seededInitialWeights(shape, hp, seed));
}
