import { Logger, type Provider } from '@nestjs/common';
import { selectBackend, type SelectedBackend } from '@tuneforge/training';

export const COMPUTE_BACKEND = Symbol('COMPUTE_BACKEND');

export const computeBackendProvider: Provider = {
  provide: COMPUTE_BACKEND,
  useFactory: async (): Promise<SelectedBackend> => {
    const backend = await selectBackend();
    Logger.log(`TensorFlow.js backend: ${backend.name}${backend.skipped.length ? ` (skipped ${backend.skipped.join('; ')})` : ''}`, 'Worker');
    return backend;
  },
};
