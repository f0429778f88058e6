// The importance of one sweep's hyperparameters, computed on a worker thread (importanceOffThread).
import { parentPort, workerData } from 'node:worker_threads';
import { hyperparameterImportance } from './importance';

const { features, trials, options } = workerData as { features: Parameters<typeof hyperparameterImportance>[0]; trials: Parameters<typeof hyperparameterImportance>[1]; options: Parameters<typeof hyperparameterImportance>[2] };
try {
  parentPort?.postMessage({ answer: hyperparameterImportance(features, trials, options) });
} catch (error) {
  parentPort?.postMessage({ error: (error as Error).message });
}
