import * as tf from '@tensorflow/tfjs';
import type { Objective, TrialConfig } from '@tuneforge/contracts';
import { requireEngine, type LstmNetOptions, type NativeLstmNet } from '@tuneforge/lstm-engine';
import { CHECKPOINT_FORMAT, checkpointModelWeights, decodeCheckpoint, type DecodedCheckpoint, type Preprocessing } from '@tuneforge/formats';
import { encodeCheckpoint, restoreModel } from './checkpoint';
import type { TrainingData } from './datasets/dataset';
import { outputWidth, RECURRENT_LAYER_CLASSES, recurrentModelShape } from './recurrent.model';
import { buildSeededRecurrentModel } from './seeded-weights';
import { classificationMetrics, epochPermutation, forecastMetrics, NonFiniteLossError, textMetrics, type EpochMetrics, type ScoredSplit } from './trainer';
import { recurrentHyperparameters, stepSettings } from './trial-config';
import { TrialProgress } from './trial-progress';
import type { TestScores, TrainingSession } from './training-session';

/** The worker's record of where a trial trained with the native engine. */
export const NATIVE_CPU_BACKEND = 'native-cpu';
export const NATIVE_CUDA_BACKEND = 'native-cuda';

/** The engine a session trains on: the CPU addon's network (default) or the CUDA addon's, which has the same interface. */
export interface EngineNet {
  LstmNet: new (options: LstmNetOptions) => NativeLstmNet;
  backend: string;
}

/** The model (e.g. a checkpoint's topology) is not one the engine builds; the tfjs path can still train it. */
export class UnsupportedByEngineError extends Error {
  override name = 'UnsupportedByEngineError';
}

/** Each tensor's values as the engine reads them (float32), read once and shared by every trial of the process. */
const hostCopies = new WeakMap<tf.Tensor, Float32Array>();
function hostFloats(tensor: tf.Tensor): Float32Array {
  let values = hostCopies.get(tensor);
  if (!values) {
    const data = tensor.dataSync();
    values = data instanceof Float32Array ? data : Float32Array.from(data as Int32Array);
    hostCopies.set(tensor, values);
  }
  return values;
}

interface OptimizerConfig {
  learningRate: number;
  /** Adam's. */
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** RMSProp's mean-square decay. */
  decay?: number;
}

/** Where each of tfjs's optimizers keeps its per-weight state (getWeights: iterations, then one list per slot), and the engine's m or v holding it. */
const OPTIMIZER_SLOTS: Record<string, { suffix: string; held: 'm' | 'v' }[]> = {
  Adam: [
    { suffix: 'm', held: 'm' },
    { suffix: 'v', held: 'v' },
  ],
  SGD: [],
  Momentum: [{ suffix: 'momentum', held: 'm' }],
  RMSProp: [
    { suffix: 'rms', held: 'v' },
    { suffix: 'momentum', held: 'm' },
  ],
};

/** The engine's network; what an engine does not train yet (the CUDA engine: bidirectional layers, dropout) sends the trial to tfjs. */
function newEngineNet(engine: EngineNet, options: LstmNetOptions): NativeLstmNet {
  try {
    return new engine.LstmNet(options);
  } catch (error) {
    const message = (error as Error).message;
    if (/not supported by the CUDA engine/.test(message)) throw new UnsupportedByEngineError(message);
    throw error;
  }
}

/**
 * One trial trained by the native engine (@tuneforge/lstm-engine). The same model as TrialSession:
 * its initial weights come from the same seeded tfjs model, and its checkpoints are tfjs checkpoints
 * (weights and Adam's state written back into that model), so either path resumes the other's.
 */
export class NativeTrialSession implements TrainingSession {
  readonly checkpointFormat = CHECKPOINT_FORMAT;
  private released = false;

  private constructor(
    /** Where it trains: native-cpu or native-cuda. */
    readonly backend: string,
    private readonly net: NativeLstmNet,
    /** Another network of the same shape, for scoring a checkpoint's weights. */
    private readonly newNet: () => NativeLstmNet,
    /** The tfjs twin: the layout and topology of checkpoints, and predictions in tests. */
    private readonly tfModel: tf.LayersModel,
    private readonly progress: TrialProgress,
    private readonly data: TrainingData,
    private readonly batchSize: number,
    private readonly seed: number,
  ) {}

  static async open(
    data: TrainingData,
    config: TrialConfig,
    seed: number,
    objective: Objective,
    checkpoint?: DecodedCheckpoint,
    engine: EngineNet = { LstmNet: requireEngine().LstmNet, backend: NATIVE_CPU_BACKEND },
  ): Promise<NativeTrialSession> {
    const hp = recurrentHyperparameters(config);
    const model = checkpoint ? await restoreModel(checkpoint) : await buildSeededRecurrentModel(data, hp, seed);
    try {
      const { recurrentLayers, bidirectional } = engineLayersOf(model);
      const layerConfig = recurrentLayers[0]?.getConfig() as { dropout?: number; recurrentDropout?: number } | undefined;
      const optimizer = model.optimizer.getConfig() as unknown as OptimizerConfig;
      const steps = stepSettings(config);
      const shape = recurrentModelShape(data);
      const options: LstmNetOptions = {
        task: data.task,
        timesteps: shape.window,
        // A classifier of feature rows has no embedding: the engine reads its rows as a forecast's.
        inputSize: 'featureCount' in shape ? shape.featureCount : shape.vocabularySize,
        embeddingDim: 'featureCount' in shape ? undefined : (model.getLayer('char_embedding').getConfig() as { units: number }).units,
        hiddenUnits: recurrentLayers.map((layer) => (layer.getConfig() as { units: number }).units),
        cells: recurrentLayers.map((layer) => RECURRENT_LAYER_CLASSES[layer.getClassName()]),
        bidirectional,
        outputs: outputWidth(shape),
        dropout: layerConfig?.dropout ?? 0,
        recurrentDropout: layerConfig?.recurrentDropout ?? 0,
        learningRate: optimizer.learningRate,
        beta1: optimizer.beta1,
        beta2: optimizer.beta2,
        epsilon: optimizer.epsilon,
        rho: optimizer.decay,
        optimizer: steps.optimizer,
        momentum: hp.momentum,
        weightDecay: steps.weightDecay,
        clipNorm: steps.clipNorm,
      };
      const net = newEngineNet(engine, options);
      await copyIntoNet(model, net);
      return new NativeTrialSession(
        engine.backend,
        net,
        () => newEngineNet(engine, options),
        model,
        TrialProgress.of(config, objective, seed, checkpoint),
        data,
        Number(config.hyperparameters.batchSize),
        seed,
      );
    } catch (error) {
      model.dispose();
      throw error;
    }
  }

  get epoch(): number {
    return this.progress.epoch;
  }

  get bestMetric(): number | null {
    return this.progress.bestMetric;
  }

  trainNextEpoch(): Promise<EpochMetrics> {
    return this.progress.next((epoch, learningRate) => this.trainEpoch(epoch, learningRate));
  }

  private async trainEpoch(epoch: number, learningRate: number): Promise<EpochMetrics> {
    const started = performance.now();
    const x = hostFloats(this.data.trainX);
    const y = hostFloats(this.data.trainY);
    const count = this.data.trainX.shape[0];
    const order = epochPermutation(count, this.seed, epoch);
    this.net.setLearningRate(learningRate);
    const batches = Math.ceil(count / this.batchSize);
    const seeds = Float64Array.from({ length: batches }, (_, batch) => dropoutSeed(this.seed, epoch, batch));
    let losses: Float32Array;
    try {
      // Off the event loop (job locks keep renewing, and trials of one worker train on separate cores), the whole epoch in one call.
      losses = await this.net.trainBatchesAsync(x, y, order, this.batchSize, seeds);
    } catch (error) {
      // Non-finite data fails the trial as a non-finite loss does on the tfjs path.
      if (/must be finite/.test((error as Error).message))
        throw withCause(new NonFiniteLossError(epoch, (error as { batch?: number }).batch ?? 0, NaN), error as Error);
      throw error;
    }
    let lossSum = 0;
    losses.forEach((loss, batch) => {
      if (!Number.isFinite(loss)) throw new NonFiniteLossError(epoch, batch, loss);
      lossSum += loss * Math.min(this.batchSize, count - batch * this.batchSize);
    });
    const trainSeconds = (performance.now() - started) / 1000;
    const metrics: EpochMetrics = { loss: lossSum / count, ...this.scoreSplit(this.net, 'val').metrics };
    if (!Number.isFinite(metrics.val_loss)) throw new NonFiniteLossError(epoch, -1, metrics.val_loss);
    metrics.epoch_seconds = (performance.now() - started) / 1000;
    metrics.samples_per_second = count / trainSeconds;
    metrics.param_count = this.net.paramInfo().reduce((sum, p) => sum + p.shape.reduce((n, d) => n * d, 1), 0);
    return metrics;
  }

  /** A split's metrics as TrialTrainer reports them (val_* each epoch, test_* once), from the engine's predictions. */
  private scoreSplit(net: NativeLstmNet, split: ScoredSplit): TestScores {
    const data = this.data;
    const [x, y] = split === 'val' ? [data.valX, data.valY] : [data.testX, data.testY];
    const predictions = net.predict(hostFloats(x), Math.max(this.batchSize, 64));
    const targets = hostFloats(y);
    if (data.task === 'classify') return classificationMetrics(data, split, predictions, targets);
    if (data.task === 'forecast') {
      let squares = 0;
      let absolute = 0;
      for (let k = 0; k < targets.length; k++) {
        const diff = predictions[k] - targets[k];
        squares += diff * diff;
        absolute += Math.abs(diff);
      }
      return { metrics: forecastMetrics(data, split, squares / targets.length, absolute / targets.length), confusion: null };
    }
    const classes = data.vocabulary.length;
    let nll = 0;
    for (let s = 0; s < targets.length; s++) nll -= Math.log(Math.min(1, Math.max(1e-7, predictions[s * classes + targets[s]])));
    return { metrics: textMetrics(split, nll / targets.length), confusion: null };
  }

  /** The tfjs model holding the engine's current weights (for predictions and export). */
  get model(): tf.LayersModel {
    writeWeights(this.net, this.tfModel);
    return this.tfModel;
  }

  get samplesPerEpoch(): number {
    return this.data.trainX.shape[0];
  }

  get preprocessing(): Preprocessing {
    return this.data.preprocessing;
  }

  async checkpoint(): Promise<Buffer> {
    writeWeights(this.net, this.tfModel);
    await writeOptimizerState(this.net, this.tfModel);
    return encodeCheckpoint(this.tfModel, this.progress.state);
  }

  /**
   * The checkpoint's model weights (what the export carries) on a network of their own, scored by the engine: the
   * predictions of tfjs loading that checkpoint, to float rounding (native-session.spec holds the two together).
   */
  async scoreOnTest(bestCheckpoint: () => Promise<Buffer>): Promise<TestScores> {
    const weights = checkpointModelWeights(decodeCheckpoint(await bestCheckpoint()));
    const net = this.newNet();
    try {
      setNetWeights(net, weights, (theirs, ours) => new Error(`the best checkpoint's weights are [${theirs}]; this trial's network has [${ours}]`));
      return this.scoreSplit(net, 'test');
    } finally {
      net.release();
    }
  }

  dispose(): void {
    if (this.released) return;
    this.released = true;
    this.net.release();
    this.tfModel.dispose();
  }
}

/** A batch's dropout masks depend only on (trial seed, epoch, batch), so a resumed trial draws the same ones. */
function dropoutSeed(seed: number, epoch: number, batch: number): number {
  return ((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b) ^ Math.imul(batch + 1, 0xc2b2ae35)) >>> 0) * 2 ** 20 + (batch % 2 ** 20);
}

function withCause<E extends Error>(error: E, cause: Error): E {
  error.message = `${error.message} (${cause.message})`;
  return error;
}

/**
 * The model's recurrent layers as the engine builds them (a Bidirectional's forward copy stands for both), and whether
 * they are bidirectional; an error for a layer the engine does not build, or a stack only partly bidirectional.
 */
function engineLayersOf(model: tf.LayersModel): { recurrentLayers: tf.layers.Layer[]; bidirectional: boolean } {
  const classes = model.layers.map((layer) => layer.getClassName());
  const unsupported = classes.filter((name) => name !== 'Dense' && name !== 'Bidirectional' && !(name in RECURRENT_LAYER_CLASSES));
  if (unsupported.length > 0) throw new UnsupportedByEngineError(`the native engine does not support ${[...new Set(unsupported)].join(', ')} layers`);
  const wrapped = model.layers.filter((layer) => layer.getClassName() === 'Bidirectional') as unknown as { forwardLayer: tf.layers.Layer; getConfig(): { merge_mode?: string; mergeMode?: string } }[];
  const plain = model.layers.filter((layer) => layer.getClassName() in RECURRENT_LAYER_CLASSES);
  if (wrapped.length > 0 && plain.length > 0) throw new UnsupportedByEngineError('the native engine builds every recurrent layer bidirectional or none');
  const mergeModes = wrapped.map((layer) => layer.getConfig().mergeMode ?? layer.getConfig().merge_mode ?? 'concat');
  if (mergeModes.some((mode) => mode !== 'concat')) throw new UnsupportedByEngineError(`the native engine merges a Bidirectional's directions by concat only, not ${mergeModes.join(', ')}`);
  const forward = wrapped.map((layer) => layer.forwardLayer);
  if (forward.some((layer) => !(layer.getClassName() in RECURRENT_LAYER_CLASSES))) throw new UnsupportedByEngineError('the native engine does not support this Bidirectional layer');
  return wrapped.length > 0 ? { recurrentLayers: forward, bidirectional: true } : { recurrentLayers: plain, bidirectional: false };
}

/** The optimizer's slots of the model (its tfjs class decides which), or an error for one the engine does not step. */
function slotsOf(model: tf.LayersModel): { suffix: string; held: 'm' | 'v' }[] {
  const slots = OPTIMIZER_SLOTS[model.optimizer.getClassName()];
  if (!slots) throw new UnsupportedByEngineError(`the native engine does not step a ${model.optimizer.getClassName()} optimizer`);
  return slots;
}

/** The tfjs model's weights, and its optimizer's state if it has trained, into the engine (same order, same layout). */
async function copyIntoNet(model: tf.LayersModel, net: NativeLstmNet): Promise<void> {
  const info = net.paramInfo();
  const weights = model.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync() as Float32Array }));
  setNetWeights(
    net,
    weights,
    (theirs, ours) => new UnsupportedByEngineError(`the native engine does not support this model: its weights are [${theirs}], the engine's [${ours}]`),
  );
  const slots = slotsOf(model);
  const state = await model.optimizer.getWeights();
  try {
    // [iterations, each slot's tensors in weight order...]; none before the first step.
    if (state.length === 1 + slots.length * info.length && (slots.length > 0 || (await state[0].tensor.data())[0] > 0)) {
      net.setIterations((await state[0].tensor.data())[0]);
      info.forEach((_, i) => {
        const held = net.getAdamMoments(i);
        slots.forEach((slot, k) => (held[slot.held] = state[1 + k * info.length + i].tensor.dataSync() as Float32Array));
        net.setAdamMoments(i, held.m, held.v);
      });
    } else if (state.length > 1) {
      throw new Error(`the checkpoint's optimizer holds ${state.length} tensors; ${1 + slots.length * info.length} expected`);
    }
  } finally {
    tf.dispose(state[0]?.tensor);
  }
}

/** Weights (in the engine's order) into the network; `mismatch` makes the error when their shapes are not the network's. */
function setNetWeights(net: NativeLstmNet, weights: { shape: number[]; values: Float32Array }[], mismatch: (theirs: string, ours: string) => Error): void {
  const shapes = (list: { shape: number[] }[]) => list.map((w) => w.shape.join('x')).join(', ');
  const [theirs, ours] = [shapes(weights), shapes(net.paramInfo())];
  if (theirs !== ours) throw mismatch(theirs, ours);
  weights.forEach((w, i) => net.setParam(i, w.values));
}

function writeWeights(net: NativeLstmNet, model: tf.LayersModel): void {
  const tensors = net.paramInfo().map((p, i) => tf.tensor(net.getParam(i), p.shape));
  model.setWeights(tensors);
  tf.dispose(tensors);
}

/** The optimizer's state into the model's optimizer, named and ordered as tfjs's getWeights() saves it. */
async function writeOptimizerState(net: NativeLstmNet, model: tf.LayersModel): Promise<void> {
  const info = net.paramInfo();
  const variables = model.trainableWeights.map((w) => (w.read() as tf.Variable).name);
  const held = info.map((_, i) => net.getAdamMoments(i));
  const values: { name: string; tensor: tf.Tensor }[] = [
    { name: 'iter', tensor: tf.scalar(net.getIterations(), 'int32') },
    ...slotsOf(model).flatMap((slot) => held.map((h, i) => ({ name: `${variables[i]}/${slot.suffix}`, tensor: tf.tensor(h[slot.held], info[i].shape) }))),
  ];
  const previous = await model.optimizer.getWeights();
  await model.optimizer.setWeights(values);
  // setWeights copies into fresh variables: free the inputs and the variables it replaced.
  tf.dispose(values.map((v) => v.tensor));
  tf.dispose(previous.map((p) => p.tensor));
}
