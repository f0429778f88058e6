// The setup thread (setup-thread.ts): the long synchronous steps of opening a trial, run where they
// cannot block the worker's event loop. Typed arrays go back transferred, not copied; one job at a time.
import { parentPort, threadId } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { TrialConfig } from '@tuneforge/contracts';
import { trainingArraysFor, type TrainingArrays, type UploadedData } from './datasets/catalog';
import { buildRecurrentModel, type RecurrentHyperparameters, type RecurrentModelShape } from './recurrent.model';
import type { SeededWeightsBackend } from './seeded-weights';
import type { SetupMessage, SetupReply } from './setup-thread';

interface Done<T> {
  answer: T;
  transfer: ArrayBuffer[];
}

async function useBackend(backend: SeededWeightsBackend): Promise<void> {
  if (tf.getBackend() === backend) return;
  if (backend === 'wasm') require('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend did not initialise on the setup thread`);
  await tf.ready();
}

const JOBS = {
  /** Nothing but the thread's start: its modules loaded and the backend named ready, before a trial needs them. */
  async warm({ backend }: { backend: SeededWeightsBackend }): Promise<Done<{ threadId: number }>> {
    await useBackend(backend);
    return { answer: { threadId }, transfer: [] };
  },

  /** buildRecurrentModel's seeded weights, in model.getWeights() order, on the backend named. */
  async 'seeded-weights'({ shape, hp, seed, backend }: { shape: RecurrentModelShape; hp: RecurrentHyperparameters; seed: number; backend: SeededWeightsBackend }): Promise<Done<Float32Array[]>> {
    await useBackend(backend);
    const model = buildRecurrentModel(shape, hp, seed);
    try {
      // Copies with buffers of their own, so that each can be transferred.
      const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
      return { answer: weights, transfer: weights.map((w) => w.buffer as ArrayBuffer) };
    } finally {
      model.dispose();
    }
  },

  /** A dataset read and windowed (trainingArraysFor). */
  async 'training-arrays'({ dataset, uploaded }: { dataset: TrialConfig['dataset']; uploaded?: UploadedData }): Promise<Done<TrainingArrays>> {
    const arrays = trainingArraysFor(dataset, uploaded);
    return { answer: arrays, transfer: [arrays.train, arrays.val, arrays.test].flatMap((s) => [s.x, s.y]).map((a) => a.buffer as ArrayBuffer) };
  },
};

export type SetupJobs = { [J in keyof typeof JOBS]: (request: Parameters<(typeof JOBS)[J]>[0]) => Awaited<ReturnType<(typeof JOBS)[J]>> };

const port = parentPort;
if (port) {
  // Warnings only (tfjs's "install the node backend" banner, once per thread otherwise); values are unchanged.
  tf.enableProdMode();
  let queue = Promise.resolve();
  port.on('message', ({ id, job, request }: SetupMessage) => {
    queue = queue.then(async () => {
      try {
        const { answer, transfer } = await (JOBS[job] as (request: unknown) => Promise<Done<unknown>>)(request);
        port.postMessage({ id, answer } satisfies SetupReply, transfer);
      } catch (error) {
        const { name, message, stack } = error as Error;
        port.postMessage({ id, error: { name, message, stack } } satisfies SetupReply);
      }
    });
  });
}
