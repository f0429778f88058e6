import { Logger, type Provider } from '@nestjs/common';
import type { TrainingEngine } from '@tuneforge/training';

export const COMPUTE_BACKEND = Symbol('COMPUTE_BACKEND');

/** The engine this worker trains on (selected before the module is built: WORKER_CONCURRENCY=auto sizes from it), logged with why. */
export function computeBackendProvider(engine: TrainingEngine): Provider {
  const tfjs = `TensorFlow.js backend ${engine.tfjs.name}${engine.tfjs.skipped.length ? ` (skipped ${engine.tfjs.skipped.join('; ')})` : ''}`;
  const detail = engine.kind === 'native' ? `, ${engine.threads} thread(s) per trial` : '';
  Logger.log(`training engine: ${engine.name}${detail}, because ${engine.reason}; ${tfjs} for checkpoints`, 'Worker');
  return { provide: COMPUTE_BACKEND, useValue: engine };
}
