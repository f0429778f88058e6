import { Logger, type Provider } from '@nestjs/common';
import { selectTrainingEngine, type TrainingEngine } from '@tuneforge/training';

export const COMPUTE_BACKEND = Symbol('COMPUTE_BACKEND');

export const computeBackendProvider: Provider = {
  provide: COMPUTE_BACKEND,
  useFactory: async (): Promise<TrainingEngine> => {
    const engine = await selectTrainingEngine();
    const tfjs = `TensorFlow.js backend ${engine.tfjs.name}${engine.tfjs.skipped.length ? ` (skipped ${engine.tfjs.skipped.join('; ')})` : ''}`;
    if (engine.kind === 'native') Logger.log(`training engine: native (${engine.name}, ${engine.threads} thread(s) per trial); ${tfjs} for checkpoints`, 'Worker');
    else Logger.log(`training engine: tfjs, ${tfjs}; native engine not used: ${engine.fallbackReason}`, 'Worker');
    return engine;
  },
};
