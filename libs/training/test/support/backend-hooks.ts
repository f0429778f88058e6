import { after, before } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend';

/** For a suite that switches tfjs backends: selects the process's (TF_BACKEND, else wasm) before its tests and puts it back after. */
export function switchesBackends(): void {
  let mainBackend: string;
  before(async () => {
    await selectBackend(process.env.TF_BACKEND ?? 'wasm');
    mainBackend = tf.getBackend();
  });
  after(async () => {
    await tf.setBackend(mainBackend);
  });
}
