import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LstmNetOptions, NativeLstmNet } from './native';

/** A GPU the CUDA engine sees, with its memory (bytes) when it was asked. */
export interface CudaDevice {
  index: number;
  name: string;
  freeBytes: number;
  totalBytes: number;
}

/** The CUDA engine's addon: the CPU engine's network on a GPU (same weights layout, gate order and steps), one stream per network. */
interface CudaAddon {
  LstmNet: new (options: LstmNetOptions & { device?: number }) => NativeLstmNet;
  devices(): CudaDevice[];
}

export type CudaAvailability = { available: true; addon: CudaAddon; devices: CudaDevice[] } | { available: false; reason: string };

/**
 * Whether the CUDA engine has passed its parity and speed checks on a GPU (bench/gpu-check.sh, issue 19). Until it
 * has, a worker uses it only when TRAIN_ENGINE=native-cuda asks for it.
 */
export const CUDA_ENGINE_VERIFIED = false;

/** Where cuda/build.js writes the addon, or why it did not (CUDA_SKIPPED.txt). */
export const CUDA_BUILD_DIR = join(__dirname, '..', 'build');

let loaded: CudaAvailability | undefined;

/** Loads the CUDA addon once and asks it for GPUs; when it is missing, will not load or sees no GPU, says why. */
export function loadCudaEngine(): CudaAvailability {
  loaded ??= probeCudaAddon(CUDA_BUILD_DIR);
  return loaded;
}

/** The CUDA addon of a build directory and its GPUs, or why there is none to use. */
export function probeCudaAddon(buildDir: string): CudaAvailability {
  const addonPath = join(buildDir, 'Release', 'lstm_cuda.node');
  const skipped = join(buildDir, 'CUDA_SKIPPED.txt');
  if (!existsSync(addonPath)) {
    const why = existsSync(skipped) ? readFileSync(skipped, 'utf8').split('\n')[0] : 'it was never built (run `npm run build -w @tuneforge/lstm-engine` where nvcc is)';
    return { available: false, reason: `the CUDA engine is not built: ${why}` };
  }
  try {
    const addon = require(addonPath) as CudaAddon;
    const devices = addon.devices();
    if (devices.length === 0) return { available: false, reason: 'the CUDA engine loaded, but no GPU is visible (CUDA_VISIBLE_DEVICES, the device plugin?)' };
    return { available: true, addon, devices };
  } catch (error) {
    return { available: false, reason: `the CUDA engine did not load: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** The CUDA addon, or an Error saying why it is unavailable. */
export function requireCudaEngine(): CudaAddon {
  const engine = loadCudaEngine();
  if (!engine.available) throw new Error(engine.reason);
  return engine.addon;
}
