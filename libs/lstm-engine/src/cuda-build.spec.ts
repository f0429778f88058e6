import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { probeCudaAddon } from './cuda';

const BUILD = join(__dirname, '..', 'cuda', 'build.js');

describe('the CUDA engine build', () => {
  it('is skipped cleanly where there is no nvcc: exit 0, the reason recorded, and the loader says it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lstm-cuda-'));
    try {
      // No nvcc on PATH or in /usr/local/cuda/bin as far as the script can tell: NVCC names one that does not exist.
      execFileSync(process.execPath, [BUILD, '--force'], { env: { ...process.env, LSTM_CUDA_BUILD_DIR: dir, PATH: '/nonexistent', NVCC: join(dir, 'no-nvcc') }, stdio: 'pipe' });
      assert.equal(existsSync(join(dir, 'Release', 'lstm_cuda.node')), false);
      assert.match(readFileSync(join(dir, 'CUDA_SKIPPED.txt'), 'utf8'), /^nvcc exited with/);
    } catch (error) {
      assert.fail(`the build failed instead of skipping: ${(error as Error).message}`);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a missing nvcc by name, and the loader passes the recorded reason on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lstm-cuda-'));
    execFileSync(process.execPath, [BUILD, '--force'], { env: { ...process.env, LSTM_CUDA_BUILD_DIR: dir, PATH: '/nonexistent', NVCC: '' }, stdio: 'pipe' });
    const recorded = existsSync(join(dir, 'CUDA_SKIPPED.txt')) ? readFileSync(join(dir, 'CUDA_SKIPPED.txt'), 'utf8') : '';
    if (!existsSync('/usr/local/cuda/bin/nvcc')) {
      assert.match(recorded, /^no nvcc on PATH or in \/usr\/local\/cuda\/bin/);
      assert.deepEqual(probeCudaAddon(dir), { available: false, reason: `the CUDA engine is not built: ${recorded.split('\n')[0]}` });
    }
    assert.match((probeCudaAddon(join(dir, 'never')) as { reason: string }).reason, /it was never built/);
    rmSync(dir, { recursive: true, force: true });
  });
});
