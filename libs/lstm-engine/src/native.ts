import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** forecast: features in, linear head (MSE); text: character ids in, the next id out; classify: ids in, one of `outputs` classes out. */
export type EngineTask = 'forecast' | 'text' | 'classify';

/** The recurrent cells the engine trains, as tfjs's LSTM, GRU and SimpleRNN layers compute them. */
export const ENGINE_CELLS = ['lstm', 'gru', 'rnn'] as const;
export type EngineCell = (typeof ENGINE_CELLS)[number];

export interface LstmNetOptions {
  task: EngineTask;
  timesteps: number;
  /** Features per step (forecast), or the vocabulary size (text: inputs are character ids). */
  inputSize: number;
  /** Text only: the width of the bias-free embedding. */
  embeddingDim?: number;
  /** Units of each stacked layer, bottom first. */
  hiddenUnits: number[];
  /** Each layer's cell, bottom first; absent: every layer is an LSTM. */
  cells?: EngineCell[];
  /** tfjs's Bidirectional (concat) around every layer: its forward copy's weights, then its backward copy's. */
  bidirectional?: boolean;
  /** Forecast horizon (linear head, MSE), or the vocabulary size (softmax head, cross-entropy). */
  outputs: number;
  dropout?: number;
  recurrentDropout?: number;
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Clip the global gradient norm to this; 0 or absent: no clipping. */
  clipNorm?: number;
  /** TensorFlow.js's Adam (default), SGD (Momentum when momentum > 0) or RMSProp; AdamW is Adam with decoupled weight decay. */
  optimizer?: EngineOptimizer;
  /** SGD's and RMSProp's momentum (default 0). */
  momentum?: number;
  /** RMSProp's decay of its mean square (default 0.9, as tfjs's). */
  rho?: number;
  /** An L2 term added to the gradient (adam, sgd, rmsprop), or decoupled decay w -= lr * weightDecay * w (adamw); default 0. */
  weightDecay?: number;
}

export const ENGINE_OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop'] as const;
export type EngineOptimizer = (typeof ENGINE_OPTIMIZERS)[number];

export interface ParamInfo {
  name: string;
  shape: number[];
}

/**
 * The addon's network: weights in TensorFlow.js layout, per layer kernel [in, G], recurrent kernel [H, G], bias [G]
 * with G = 4H for an LSTM (gates i, f, c, o), 3H for a GRU (z, r, h) and H for a simple RNN.
 */
export interface NativeLstmNet {
  paramInfo(): ParamInfo[];
  getParam(index: number): Float32Array;
  setParam(index: number, values: Float32Array): void;
  getGradient(index: number): Float32Array;
  /** The optimizer's slots of a weight: Adam's moments; SGD's momentum accumulation in m; RMSProp's momentum in m, mean square in v. */
  getAdamMoments(index: number): { m: Float32Array; v: Float32Array };
  setAdamMoments(index: number, m: Float32Array, v: Float32Array): void;
  getIterations(): number;
  setIterations(iterations: number): void;
  setLearningRate(learningRate: number): void;
  /**
   * One optimizer step on the samples `indices` of x ([n, T, F] floats, or [n, T] ids) and y ([n, outputs], or [n] ids);
   * null indices: all samples. Returns the batch loss before the step.
   */
  trainBatch(x: Float32Array, y: Float32Array, indices: Int32Array | null, dropoutSeed: number): number;
  /**
   * trainBatch on consecutive batches of `order` (`batchSize` rows each, the last one shorter; null: every sample in order)
   * with one dropout seed each, on a libuv thread in one call. Resolves with the batches' losses, ending after the first
   * that is not finite; a rejection's error has the failed batch's index as `batch`. Other calls on this network throw
   * until it settles.
   */
  trainBatchesAsync(x: Float32Array, y: Float32Array, order: Int32Array | null, batchSize: number, dropoutSeeds: Float64Array): Promise<Float32Array>;
  /** Loss with gradients left for getGradient; no dropout, no update. */
  lossAndGradients(x: Float32Array, y: Float32Array, indices: Int32Array | null): number;
  /** Frees the buffers now (the wrapper is unusable afterwards). */
  release(): void;
  /** Head outputs ([n, outputs]; probabilities for text), computed `chunk` samples at a time. */
  predict(x: Float32Array, chunk: number): Float32Array;
}

interface Addon {
  LstmNet: new (options: LstmNetOptions) => NativeLstmNet;
  setThreads(threads: number): void;
  getThreads(): number;
  blasConfig(): string;
}

export type EngineAvailability = { available: true; addon: Addon; blas: string } | { available: false; reason: string };

const PACKAGE_ROOT = join(__dirname, '..');
export const ADDON_PATH = join(PACKAGE_ROOT, 'build', 'Release', 'lstm_engine.node');
const BUILD_FAILURE = join(PACKAGE_ROOT, 'build', 'BUILD_FAILED.txt');

let loaded: EngineAvailability | undefined;

/** Loads the addon once; when it is missing or will not load, says why (for the worker's log). */
export function loadEngine(): EngineAvailability {
  loaded ??= tryLoad();
  return loaded;
}

function tryLoad(): EngineAvailability {
  if (!existsSync(ADDON_PATH)) {
    const why = existsSync(BUILD_FAILURE) ? readFileSync(BUILD_FAILURE, 'utf8').split('\n')[0] : 'it was never built (run `npm run build -w @tuneforge/lstm-engine`)';
    return { available: false, reason: `the native LSTM engine is not built: ${why}` };
  }
  try {
    // A path computed at run time: the addon is a build output, not a module the type checker can see.
    const addon = require(ADDON_PATH) as Addon;
    return { available: true, addon, blas: addon.blasConfig() };
  } catch (error) {
    return { available: false, reason: `the native LSTM engine did not load: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** The addon, or an Error saying why it is unavailable. */
export function requireEngine(): Addon {
  const engine = loadEngine();
  if (!engine.available) throw new Error(engine.reason);
  return engine.addon;
}

/** BLAS threads for every network in this process (1 by default: one trial per core). */
export function setEngineThreads(threads: number): void {
  requireEngine().setThreads(threads);
}
