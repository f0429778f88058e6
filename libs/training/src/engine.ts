import type { Objective, TrialConfig } from '@tuneforge/contracts';
import { loadEngine, setEngineThreads } from '@tuneforge/lstm-engine';
import { type DecodedCheckpoint } from '@tuneforge/formats';
import { selectBackend, type SelectedBackend } from './backend';
import type { TrainingData } from './datasets/dataset';
import { NATIVE_CPU_BACKEND, NativeTrialSession, UnsupportedByEngineError } from './native-session';
import type { TrainingSession } from './training-session';
import { TrialSession } from './trial-session';

export type TrainEngineKind = 'native' | 'tfjs';

/** How this process trains LSTM trials. */
export interface TrainingEngine {
  kind: TrainEngineKind;
  /** What trials and workers record as their backend: 'native-cpu', or the tfjs backend ('wasm', 'cpu', ...). */
  name: string;
  /** The tfjs backend: the fallback's compute, and the native path's checkpoint format. */
  tfjs: SelectedBackend;
  /** BLAS threads per trial on the native engine. */
  threads: number;
  /** Why the native engine is not used, when it is not. */
  fallbackReason?: string;
}

/**
 * The native engine when its addon loads, else TensorFlow.js. `TRAIN_ENGINE` (native | tfjs) forces
 * one (native fails here with the reason when it cannot load); `TRAIN_ENGINE_THREADS` sets the
 * native engine's intra-trial threads (default 1: one trial per core).
 */
export async function selectTrainingEngine(env: NodeJS.ProcessEnv = process.env): Promise<TrainingEngine> {
  const requested = env.TRAIN_ENGINE?.trim() || undefined;
  if (requested && requested !== 'native' && requested !== 'tfjs') throw new Error(`TRAIN_ENGINE '${requested}' is not one of native, tfjs`);
  const threads = Number(env.TRAIN_ENGINE_THREADS ?? 1);
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new Error(`TRAIN_ENGINE_THREADS '${env.TRAIN_ENGINE_THREADS}' is not an integer in [1, 256]`);
  const tfjs = await selectBackend(env.TF_BACKEND);
  if (requested === 'tfjs') return { kind: 'tfjs', name: tfjs.name, tfjs, threads: 1, fallbackReason: 'TRAIN_ENGINE=tfjs' };
  const engine = loadEngine();
  if (!engine.available) {
    if (requested === 'native') throw new Error(`TRAIN_ENGINE=native, but ${engine.reason}`);
    return { kind: 'tfjs', name: tfjs.name, tfjs, threads: 1, fallbackReason: engine.reason };
  }
  setEngineThreads(threads);
  return { kind: 'native', name: NATIVE_CPU_BACKEND, tfjs, threads };
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
  if (engine.kind === 'native') {
    try {
      return { session: await NativeTrialSession.open(data, config, seed, objective, checkpoint), backend: engine.name };
    } catch (error) {
      if (!(error instanceof UnsupportedByEngineError)) throw error;
      return { session: await TrialSession.open(data, config, seed, objective, checkpoint), backend: engine.tfjs.name, fallbackReason: error.message };
    }
  }
  return { session: await TrialSession.open(data, config, seed, objective, checkpoint), backend: engine.name };
}
