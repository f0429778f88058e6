import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { loadWorkerConfig } from '../src/worker.config';

describe(loadWorkerConfig.name, () => {
  it('sizes WORKER_CONCURRENCY=auto from the engine: the cores on a CPU, the free memory on GPUs', () => {
    const cpu = loadWorkerConfig({ WORKER_CONCURRENCY: 'auto' }, { kind: 'native', threads: 1 });
    assert.equal(cpu.concurrency, availableParallelism());
    assert.match(cpu.concurrencyReason, /^WORKER_CONCURRENCY=auto: \d+ core\(s\), 1 thread\(s\) per trial$/);
    const gpus = [{ index: 0, name: 'NVIDIA H100', freeBytes: 6 * 2 ** 30, totalBytes: 80 * 2 ** 30 }];
    const onGpu = loadWorkerConfig({ WORKER_CONCURRENCY: 'auto', WORKER_GPU_TRIAL_MB: '2048' }, { kind: 'native-cuda', threads: 1, gpus });
    assert.equal(onGpu.concurrency, 2, '90% of 6 GiB holds two trials of 2 GiB');
    assert.equal(loadWorkerConfig({ WORKER_CONCURRENCY: '3' }, { kind: 'native-cuda', threads: 1, gpus }).concurrency, 3, 'a number is taken as it is');
  });

  it('refuses a concurrency that is neither auto nor a whole number in range, naming the variable', () => {
    for (const value of ['fast', '0', '65', '1.5']) assert.throws(() => loadWorkerConfig({ WORKER_CONCURRENCY: value }), /WORKER_CONCURRENCY/, value);
    assert.throws(() => loadWorkerConfig({ WORKER_GPU_TRIALS_MAX: '0' }), /WORKER_GPU_TRIALS_MAX/);
  });

  it('bounds the rung values a worker keeps (1,000,000 unless set), refusing what is not a positive whole number', () => {
    assert.equal(loadWorkerConfig({}).rungValuesKept, 1_000_000);
    assert.equal(loadWorkerConfig({ WORKER_RUNG_VALUES_KEPT: '5000' }).rungValuesKept, 5000);
    for (const value of ['0', 'many', '2.5', '-3']) assert.throws(() => loadWorkerConfig({ WORKER_RUNG_VALUES_KEPT: value }), /WORKER_RUNG_VALUES_KEPT/, value);
  });
});
