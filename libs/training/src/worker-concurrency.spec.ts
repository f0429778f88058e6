import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { autoConcurrency, type ConcurrencyInputs } from './worker-concurrency';

const GiB = 2 ** 30;
const base: ConcurrencyInputs = { engine: 'native', cores: 16, threadsPerTrial: 1, gpuBytesPerTrial: GiB, maxTrialsPerGpu: 8 };
const gpu = (freeGiB: number, name = 'NVIDIA H200') => ({ index: 0, name, freeBytes: freeGiB * GiB, totalBytes: 141 * GiB });

describe(autoConcurrency.name, () => {
  it('on a CPU: one trial per core, or per TRAIN_ENGINE_THREADS cores on the native engine', () => {
    assert.deepEqual(autoConcurrency(base), { concurrency: 16, reason: '16 core(s), 1 thread(s) per trial' });
    assert.equal(autoConcurrency({ ...base, threadsPerTrial: 4 }).concurrency, 4);
    assert.equal(autoConcurrency({ ...base, threadsPerTrial: 3 }).concurrency, 5);
    assert.equal(autoConcurrency({ ...base, engine: 'tfjs', threadsPerTrial: 4 }).concurrency, 16, 'tfjs kernels run on one thread');
    assert.equal(autoConcurrency({ ...base, cores: 1, threadsPerTrial: 4 }).concurrency, 1, 'at least one');
  });

  it("on GPUs: what each GPU's free memory holds, at most WORKER_GPU_TRIALS_MAX per GPU, at least one", () => {
    const one = autoConcurrency({ ...base, engine: 'native-cuda', gpus: [gpu(139)] });
    assert.equal(one.concurrency, 8, 'a big GPU is capped');
    assert.match(one.reason, /NVIDIA H200: 142336 MiB free, 8 trial\(s\) at 1024 MiB each \(at most 8\)/);
    assert.equal(autoConcurrency({ ...base, engine: 'native-cuda', gpus: [gpu(3.5)] }).concurrency, 3, '90% of 3.5 GiB holds three');
    assert.equal(autoConcurrency({ ...base, engine: 'native-cuda', gpus: [gpu(0.2)] }).concurrency, 1);
    assert.equal(autoConcurrency({ ...base, engine: 'native-cuda', gpus: [gpu(139), gpu(5, 'NVIDIA L4')] }).concurrency, 8 + 4, 'summed over GPUs');
    assert.equal(autoConcurrency({ ...base, engine: 'native-cuda', gpus: [gpu(139)], maxTrialsPerGpu: 32, gpuBytesPerTrial: 8 * GiB }).concurrency, 15);
  });
});
