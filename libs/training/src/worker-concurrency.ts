import type { CudaDevice } from '@tuneforge/lstm-engine';
import type { TrainEngineKind } from './engine-choice';

/** What WORKER_CONCURRENCY=auto sizes from. */
export interface ConcurrencyInputs {
  engine: TrainEngineKind;
  /** CPU cores this process may use (os.availableParallelism()). */
  cores: number;
  /** The native CPU engine's BLAS threads per trial (TRAIN_ENGINE_THREADS). */
  threadsPerTrial: number;
  /** The GPUs the CUDA engine sees (native-cuda). */
  gpus?: readonly CudaDevice[];
  /** Bytes of GPU memory one trial is allowed (WORKER_GPU_TRIAL_MB). */
  gpuBytesPerTrial: number;
  /** At most this many trials per GPU (WORKER_GPU_TRIALS_MAX). */
  maxTrialsPerGpu: number;
}

/** Of a GPU's free memory, the share trials may take: the rest is the CUDA context's, the driver's and fragmentation's. */
const GPU_MEMORY_SHARE = 0.9;

/**
 * How many trials a worker runs at once under WORKER_CONCURRENCY=auto, and why. On a CPU: one trial per
 * `threadsPerTrial` cores (tfjs's kernels are single-threaded: one per core). On GPUs: as many as the free memory
 * holds at `gpuBytesPerTrial` each, at most `maxTrialsPerGpu` a GPU (small trials leave a big GPU idle: 8 W1 trials
 * at once gave 7.8x one trial's throughput on an H100 with PyTorch, REFERENCE_NUMBERS.md), and at least one.
 */
export function autoConcurrency(inputs: ConcurrencyInputs): { concurrency: number; reason: string } {
  if (inputs.engine === 'native-cuda') {
    const gpus = inputs.gpus ?? [];
    const perGpu = gpus.map((gpu) => Math.max(1, Math.min(inputs.maxTrialsPerGpu, Math.floor((gpu.freeBytes * GPU_MEMORY_SHARE) / inputs.gpuBytesPerTrial))));
    const concurrency = Math.max(1, perGpu.reduce((a, b) => a + b, 0));
    const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
    return {
      concurrency,
      reason: `${gpus.map((gpu, i) => `${gpu.name}: ${mib(gpu.freeBytes)} MiB free, ${perGpu[i]} trial(s) at ${mib(inputs.gpuBytesPerTrial)} MiB each (at most ${inputs.maxTrialsPerGpu})`).join('; ')}`,
    };
  }
  const threads = inputs.engine === 'native' ? inputs.threadsPerTrial : 1;
  const concurrency = Math.max(1, Math.floor(inputs.cores / threads));
  return { concurrency, reason: `${inputs.cores} core(s), ${threads} thread(s) per trial` };
}
