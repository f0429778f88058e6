import * as tf from '@tensorflow/tfjs';

export const BACKEND_PREFERENCE = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_PREFERENCE)[number];

/** Native bindings register their backend when required; they are optional (no libtensorflow here). */
const NATIVE_PACKAGES: Partial<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

export interface SelectedBackend {
  name: BackendName;
  /** Why faster backends were skipped, for the worker's log. */
  skipped: string[];
}

const ALIASES: Record<string, BackendName> = {
  'tfjs-node-gpu': 'tensorflow-gpu',
  gpu: 'tensorflow-gpu',
  'tfjs-node': 'tensorflow',
  node: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

let selected: Promise<SelectedBackend> | undefined;

/**
 * Picks the fastest TensorFlow.js backend that loads: tfjs-node-gpu, tfjs-node, wasm, cpu.
 * `TF_BACKEND` (tfjs-node-gpu | tfjs-node | wasm | cpu) forces one. Selected once per process.
 */
export function selectBackend(requested = process.env.TF_BACKEND): Promise<SelectedBackend> {
  selected ??= trySelect(requested);
  return selected;
}

async function trySelect(requested: string | undefined): Promise<SelectedBackend> {
  const forced = requested ? ALIASES[requested] : undefined;
  if (requested && !forced) throw new Error(`TF_BACKEND '${requested}' is not one of ${Object.keys(ALIASES).join(', ')}`);
  const candidates = forced ? [forced] : BACKEND_PREFERENCE;
  const skipped: string[] = [];
  for (const name of candidates) {
    try {
      await load(name);
      if (await tf.setBackend(name)) {
        await tf.ready();
        return { name, skipped };
      }
      skipped.push(`${name}: did not initialise`);
    } catch (error) {
      skipped.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`no TensorFlow.js backend loaded (${skipped.join('; ')})`);
}

async function load(name: BackendName): Promise<void> {
  const nativePackage = NATIVE_PACKAGES[name];
  if (nativePackage) {
    // A computed name keeps bundlers and type-checkers from requiring the optional package.
    require(nativePackage);
  } else if (name === 'wasm') {
    require('@tensorflow/tfjs-backend-wasm');
  }
}
