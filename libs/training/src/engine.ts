import type { Objective, TrialConfig } from '@tuneforge/contracts';
import { CUDA_ENGINE_VERIFIED, loadCudaEngine, loadEngine, requireCudaEngine, requireEngine, setEngineThreads, type CudaDevice } from '@tuneforge/lstm-engine';
import { type DecodedCheckpoint } from '@tuneforge/formats';
import { selectBackend, type SelectedBackend } from './backend';
import type { TrainingData } from './datasets/dataset';
import { chooseTrainingEngine, requestedEngine, type TrainEngineKind } from './engine-choice';
import { NATIVE_CPU_BACKEND, NATIVE_CUDA_BACKEND, NativeTrialSession, UnsupportedByEngineError } from './native-session';
import type { TrainingSession } from './training-session';
import { TrialSession } from './trial-session';

/** How this process trains LSTM trials. */
export interface TrainingEngine {
  kind: TrainEngineKind;
  /** What trials and workers record as their backend: 'native-cuda', 'native-cpu', or the tfjs backend ('wasm', 'cpu', ...). */
  name: string;
  /** The tfjs backend: the fallback's compute, and the native paths' checkpoint format. */
  tfjs: SelectedBackend;
  /** BLAS threads per trial on the native CPU engine. */
  threads: number;
  /** Why this engine (what chooseTrainingEngine said), for the worker's log. */
  reason: string;
  /** The GPUs the CUDA engine sees (native-cuda only). */
  gpus?: readonly CudaDevice[];
  /** Why the native engines are not used, when neither is. */
  fallbackReason?: string;
}

/**
 * The engine chooseTrainingEngine picks from what loads here (`TRAIN_ENGINE`: auto | native-cuda | native | tfjs);
 * `TRAIN_ENGINE_THREADS` sets the native CPU engine's intra-trial threads (default 1: one trial per core).
 */
export async function selectTrainingEngine(env: NodeJS.ProcessEnv = process.env): Promise<TrainingEngine> {
  const threads = Number(env.TRAIN_ENGINE_THREADS ?? 1);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new Error(`TRAIN_ENGINE_THREADS '${env.TRAIN_ENGINE_THREADS}' is not an integer in [1, 256]`);
  // A bad TRAIN_ENGINE is refused before anything loads.
  requestedEngine(env.TRAIN_ENGINE);
  const tfjs = await selectBackend(env.TF_BACKEND);
  const cuda = loadCudaEngine();
  const native = loadEngine();
  const choice = chooseTrainingEngine(env.TRAIN_ENGINE, {
    cuda: cuda.available ? { available: true, devices: cuda.devices, verified: CUDA_ENGINE_VERIFIED } : cuda,
    native: native.available ? { available: true } : native,
    tfjs: tfjs.name,
  });
  switch (choice.kind) {
    case 'native-cuda':
      return { kind: 'native-cuda', name: NATIVE_CUDA_BACKEND, tfjs, threads: 1, reason: choice.reason, gpus: cuda.available ? cuda.devices : [] };
    case 'native':
      setEngineThreads(threads);
      return { kind: 'native', name: NATIVE_CPU_BACKEND, tfjs, threads, reason: choice.reason };
    case 'tfjs':
      return { kind: 'tfjs', name: tfjs.name, tfjs, threads: 1, reason: choice.reason, fallbackReason: choice.reason };
  }
}

export interface OpenedLstmSession {
  session: TrainingSession;
  /** Where it trains: the engine's name, or the tfjs backend when the engine does not support the model. */
  backend: string;
  /** Why the native engine was passed over for this trial. */
  fallbackReason?: string;
}

/**
 * A session for an `lstm` trial on the selected engine, restored from the checkpoint if there is one;
 * a model the native engine does not support trains on the tfjs path instead.
 */
export async function openLstmSession(
  engine: Pick<TrainingEngine, 'kind' | 'name' | 'tfjs'>,
  data: TrainingData,
  config: TrialConfig,
  seed: number,
  objective: Objective,
  checkpoint?: DecodedCheckpoint,
): Promise<OpenedLstmSession> {
  if (engine.kind === 'native' || engine.kind === 'native-cuda') {
    try {
      const net = engine.kind === 'native' ? { LstmNet: requireEngine().LstmNet, backend: NATIVE_CPU_BACKEND } : { LstmNet: requireCudaEngine().LstmNet, backend: NATIVE_CUDA_BACKEND };
      return { session: await NativeTrialSession.open(data, config, seed, objective, checkpoint, net), backend: engine.name };
    } catch (error) {
      if (!(error instanceof UnsupportedByEngineError)) throw error;
      return { session: await TrialSession.open(data, config, seed, objective, checkpoint), backend: engine.tfjs.name, fallbackReason: error.message };
    }
  }
  return { session: await TrialSession.open(data, config, seed, objective, checkpoint), backend: engine.name };
}
