import type { CudaDevice } from '@tuneforge/lstm-engine';
import type { BackendName } from './backend';

export const TRAIN_ENGINES = ['native-cuda', 'native', 'tfjs'] as const;
export type TrainEngineKind = (typeof TRAIN_ENGINES)[number];

/** What this process found it can train with. */
export interface EngineProbes {
  cuda: { available: true; devices: readonly CudaDevice[]; verified: boolean } | { available: false; reason: string };
  native: { available: true } | { available: false; reason: string };
  /** The TensorFlow.js backend that loaded (tensorflow-gpu is tfjs-node-gpu). */
  tfjs: BackendName;
}

export interface EngineChoice {
  kind: TrainEngineKind;
  /** Why this engine, for the worker's log (and what was passed over). */
  reason: string;
}

/** What TRAIN_ENGINE asks for (blank: auto), or an Error naming the choices. */
export function requestedEngine(requested: string | undefined): 'auto' | TrainEngineKind {
  const asked = requested?.trim() || 'auto';
  if (asked !== 'auto' && !(TRAIN_ENGINES as readonly string[]).includes(asked)) throw new Error(`TRAIN_ENGINE '${asked}' is not one of auto, ${TRAIN_ENGINES.join(', ')}`);
  return asked as 'auto' | TrainEngineKind;
}

/**
 * The fastest engine for the hardware: the CUDA engine when it loads and sees a GPU (once verified: until then only
 * when asked), else tfjs-node-gpu when it loads, else the native CPU engine, else TensorFlow.js on what loaded (wasm).
 * `TRAIN_ENGINE` (native-cuda | native | tfjs) forces one, and fails with the reason when it cannot be had.
 */
export function chooseTrainingEngine(requested: string | undefined, found: EngineProbes): EngineChoice {
  const asked = requestedEngine(requested);
  const gpu = found.cuda.available ? `${found.cuda.devices.length} GPU(s): ${found.cuda.devices.map((d) => d.name).join(', ')}` : '';
  if (asked === 'native-cuda') {
    if (!found.cuda.available) throw new Error(`TRAIN_ENGINE=native-cuda, but ${found.cuda.reason}`);
    return { kind: 'native-cuda', reason: `TRAIN_ENGINE=native-cuda (${gpu})` };
  }
  if (asked === 'native') {
    if (!found.native.available) throw new Error(`TRAIN_ENGINE=native, but ${found.native.reason}`);
    return { kind: 'native', reason: 'TRAIN_ENGINE=native' };
  }
  if (asked === 'tfjs') return { kind: 'tfjs', reason: `TRAIN_ENGINE=tfjs (backend ${found.tfjs})` };
  const passedOver: string[] = [];
  if (found.cuda.available && found.cuda.verified) return { kind: 'native-cuda', reason: `the CUDA engine sees ${gpu}` };
  passedOver.push(found.cuda.available ? 'the CUDA engine is not verified yet: TRAIN_ENGINE=native-cuda uses it' : found.cuda.reason);
  if (found.tfjs === 'tensorflow-gpu') return { kind: 'tfjs', reason: `tfjs-node-gpu loaded (passed over: ${passedOver.join('; ')})` };
  passedOver.push('tfjs-node-gpu did not load');
  if (found.native.available) return { kind: 'native', reason: `the native CPU engine loaded (passed over: ${passedOver.join('; ')})` };
  passedOver.push(found.native.reason);
  return { kind: 'tfjs', reason: `TensorFlow.js on ${found.tfjs} (passed over: ${passedOver.join('; ')})` };
}
