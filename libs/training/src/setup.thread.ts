// The initial-weights thread (seeded-weights.ts): builds buildLstmModel's seeded model on the backend
// each request names and sends its weights back, transferred, not copied; one request at a time.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { buildLstmModel } from './lstm.model';
import type { SeededWeightsReply, SeededWeightsRequest } from './seeded-weights';

// Warnings only (tfjs's "install the node backend" banner, once per thread otherwise); values are unchanged.
tf.enableProdMode();

async function seededWeights({ shape, hp, seed, backend }: SeededWeightsRequest): Promise<Float32Array[]> {
  if (tf.getBackend() !== backend) {
    if (backend === 'wasm') require('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend did not initialise on the initial-weights thread`);
    await tf.ready();
  }
  const model = buildLstmModel(shape, hp, seed);
  try {
    // Copies with buffers of their own, so that each can be transferred.
    return model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
  } finally {
    model.dispose();
  }
}

const port = parentPort;
if (!port) throw new Error('seeded-weights.thread.ts runs as a worker thread');
let queue = Promise.resolve();
port.on('message', (request: SeededWeightsRequest) => {
  queue = queue.then(() =>
    seededWeights(request).then(
      (weights) => port.postMessage({ id: request.id, weights } satisfies SeededWeightsReply, weights.map((w) => w.buffer as ArrayBuffer)),
      (error: Error) => port.postMessage({ id: request.id, error } satisfies SeededWeightsReply),
    ),
  );
});
