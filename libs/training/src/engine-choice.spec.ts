import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseTrainingEngine, type EngineProbes } from './engine-choice';

const H200 = { index: 0, name: 'NVIDIA H200', freeBytes: 140e9, totalBytes: 143e9 };
const CUDA: Record<string, EngineProbes['cuda']> = {
  absent: { available: false, reason: 'the CUDA engine is not built: nvcc not found' },
  unverified: { available: true, devices: [H200], verified: false },
  verified: { available: true, devices: [H200], verified: true },
};
const NATIVE: Record<string, EngineProbes['native']> = { loads: { available: true }, absent: { available: false, reason: 'the native LSTM engine is not built: no OpenBLAS' } };
const TFJS = ['tensorflow-gpu', 'wasm'] as const;

/** What auto should pick from what loads: the verified CUDA engine, else tfjs-node-gpu, else the CPU engine, else tfjs on wasm. */
function expectedAuto(cuda: string, native: string, tfjs: string): string {
  if (cuda === 'verified') return 'native-cuda';
  if (tfjs === 'tensorflow-gpu') return 'tfjs';
  return native === 'loads' ? 'native' : 'tfjs';
}

describe(chooseTrainingEngine.name, () => {
  for (const cuda of Object.keys(CUDA)) {
    for (const native of Object.keys(NATIVE)) {
      for (const tfjs of TFJS) {
        const found: EngineProbes = { cuda: CUDA[cuda], native: NATIVE[native], tfjs };
        const where = `CUDA engine ${cuda}, CPU engine ${native}, tfjs on ${tfjs}`;
        it(`${where}: auto picks ${expectedAuto(cuda, native, tfjs)}, and each TRAIN_ENGINE gets what it names or says why not`, () => {
          const auto = chooseTrainingEngine(undefined, found);
          assert.equal(auto.kind, expectedAuto(cuda, native, tfjs));
          assert.equal(chooseTrainingEngine('auto', found).kind, auto.kind);
          if (cuda === 'unverified') assert.match(auto.reason, /the CUDA engine is not verified yet: TRAIN_ENGINE=native-cuda uses it/);
          if (cuda === 'absent' && auto.kind !== 'native-cuda') assert.match(auto.reason, /nvcc not found/);
          if (cuda === 'absent') assert.throws(() => chooseTrainingEngine('native-cuda', found), /TRAIN_ENGINE=native-cuda, but the CUDA engine is not built: nvcc not found/);
          else assert.deepEqual(chooseTrainingEngine('native-cuda', found), { kind: 'native-cuda', reason: 'TRAIN_ENGINE=native-cuda (1 GPU(s): NVIDIA H200)' });
          if (native === 'absent') assert.throws(() => chooseTrainingEngine('native', found), /TRAIN_ENGINE=native, but the native LSTM engine is not built: no OpenBLAS/);
          else assert.equal(chooseTrainingEngine('native', found).kind, 'native');
          assert.deepEqual(chooseTrainingEngine('tfjs', found), { kind: 'tfjs', reason: `TRAIN_ENGINE=tfjs (backend ${tfjs})` });
        });
      }
    }
  }

  it('refuses an engine it does not know, naming the choices', () => {
    const found: EngineProbes = { cuda: CUDA.absent, native: NATIVE.loads, tfjs: 'wasm' };
    assert.throws(() => chooseTrainingEngine('gpu', found), /TRAIN_ENGINE 'gpu' is not one of auto, native-cuda, native, tfjs/);
    assert.equal(chooseTrainingEngine('  ', found).kind, 'native', 'blank is auto');
  });
});
