import * as tf from '@tensorflow/tfjs';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import type { OptimizerName } from '@tuneforge/contracts';
import { classificationScores } from './classification-scores';
import type { ClassifyData, ForecastData, TrainingData } from './datasets/dataset';
import type { TestScores } from './training-session';
import { setLearningRate } from './recurrent.model';

export type EpochMetrics = Record<string, number>;

/** Metrics that cannot change during a trial (its size, the dataset's baseline): stored once, with the first epoch. */
export const TRIAL_CONSTANT_METRICS: ReadonlySet<string> = new Set([
  'param_count',
  'seasonal_naive_val_mae',
  'majority_val_accuracy',
  'majority_val_macro_f1',
  'bag_of_chars_val_accuracy',
  'bag_of_chars_val_macro_f1',
]);

/** What an epoch's metrics store: all of them at epoch 1, then only those that can change. */
export function metricsToStore(epoch: number, metrics: EpochMetrics): EpochMetrics {
  if (epoch === 1) return metrics;
  return Object.fromEntries(Object.entries(metrics).filter(([name]) => !TRIAL_CONSTANT_METRICS.has(name)));
}

export class NonFiniteLossError extends Error {
  constructor(readonly epoch: number, readonly batch: number, readonly loss: number) {
    super(`training loss became ${loss} at epoch ${epoch}, batch ${batch}`);
    this.name = 'NonFiniteLossError';
  }
}

export const LN2 = Math.log(2);
const EVAL_BATCH = 1024;

/** What a step does to the gradients before the optimizer takes them (weight decay as PyTorch defines it). */
export interface StepSettings {
  optimizer: OptimizerName;
  /** An L2 term added to the gradient, or for adamw decoupled: w -= learningRate * weightDecay * w before the step. */
  weightDecay: number;
  /** Clip the global gradient norm to this; 0: off. */
  clipNorm: number;
}

export const PLAIN_STEPS: StepSettings = { optimizer: 'adam', weightDecay: 0, clipNorm: 0 };

/**
 * The training loop of one trial: seeded shuffles (epoch e uses a generator seeded with the trial
 * seed and e, so a resumed trial shuffles as an uninterrupted one would), one optimizer step per batch
 * (gradients clipped, weights decayed), validation after each epoch. It yields to the event loop between
 * batches so that a worker keeps renewing its job locks and can run several trials at once.
 */
export class TrialTrainer {
  constructor(
    readonly model: tf.LayersModel,
    private readonly data: TrainingData,
    private readonly batchSize: number,
    private readonly seed: number,
    private readonly steps: StepSettings = PLAIN_STEPS,
  ) {}

  /** Trains an epoch at this learning rate (the schedule's for the epoch). */
  async trainEpoch(epoch: number, learningRate: number): Promise<EpochMetrics> {
    const started = performance.now();
    setLearningRate(this.model.optimizer, learningRate);
    const trainCount = this.data.trainX.shape[0];
    const order = this.permutation(trainCount, epoch);
    let lossSum = 0;
    for (let start = 0, batch = 0; start < trainCount; start += this.batchSize, batch++) {
      const indices = tf.tensor1d(order.subarray(start, start + this.batchSize), 'int32');
      const [x, y] = tf.tidy(() => [modelInput(this.data, tf.gather(this.data.trainX, indices)), tf.gather(this.data.trainY, indices)]);
      const loss = await this.step(x, y, learningRate);
      const size = indices.shape[0];
      tf.dispose([indices, x, y]);
      if (!Number.isFinite(loss)) throw new NonFiniteLossError(epoch, batch, loss);
      lossSum += loss * size;
      await new Promise((resolve) => setImmediate(resolve));
    }
    const trainSeconds = (performance.now() - started) / 1000;
    const metrics: EpochMetrics = { loss: lossSum / trainCount, ...(await this.validate()) };
    if (!Number.isFinite(metrics.val_loss)) throw new NonFiniteLossError(epoch, -1, metrics.val_loss);
    metrics.epoch_seconds = (performance.now() - started) / 1000;
    metrics.samples_per_second = trainCount / trainSeconds;
    return metrics;
  }

  /** One step: the compiled loss's gradients, clipped to the global norm, with weight decay; the batch loss before it. */
  private async step(x: tf.Tensor, y: tf.Tensor, learningRate: number): Promise<number> {
    const { optimizer, weightDecay, clipNorm } = this.steps;
    const variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => trainingLoss(this.data, y, this.model.apply(x, { training: true }) as tf.Tensor), variables);
      if (clipNorm > 0) {
        const norm = tf.sqrt(tf.addN(variables.map((v) => tf.sum(tf.square(grads[v.name])))));
        const scale = tf.minimum(1, tf.div(clipNorm, tf.maximum(norm, 1e-30)));
        for (const v of variables) grads[v.name] = tf.mul(grads[v.name], scale);
      }
      if (weightDecay > 0) {
        for (const v of variables) {
          if (optimizer === 'adamw') v.assign(tf.mul(v, 1 - learningRate * weightDecay));
          else grads[v.name] = tf.add(grads[v.name], tf.mul(v, weightDecay));
        }
      }
      this.model.optimizer.applyGradients(grads);
      return value;
    });
    const [lossValue] = await loss.data();
    loss.dispose();
    return lossValue;
  }

  private validate(): Promise<EpochMetrics> {
    return evaluateSplit(this.model, this.data, 'val');
  }

  private permutation(count: number, epoch: number): Int32Array {
    return epochPermutation(count, this.seed, epoch);
  }
}

/** The compiled model's loss (mean squared error, or sparse categorical cross-entropy over the softmax's outputs as tfjs computes it). */
function trainingLoss(data: TrainingData, y: tf.Tensor, out: tf.Tensor): tf.Scalar {
  if (data.task === 'forecast') return tf.losses.meanSquaredError(y, out) as tf.Scalar;
  const normalised = tf.div(out, tf.sum(out, -1, true));
  const picked = tf.sum(tf.mul(tf.oneHot(tf.cast(y, 'int32'), out.shape[out.shape.length - 1]), tf.log(tf.clipByValue(normalised, 1e-7, 1 - 1e-7))), -1);
  return tf.neg(tf.mean(picked)) as tf.Scalar;
}

/** A split the model is scored on after training: validation after each epoch, test once, on the epoch handed over. */
export type ScoredSplit = 'val' | 'test';

/**
 * The model's loss on a split and, in the target's units, its MAE (forecasting, with the seasonal-naive
 * MAE on the same rows) or bits per character (text), named after the split: val_mae, test_bpc, ...
 */
export async function evaluateSplit(model: tf.LayersModel, data: TrainingData, split: ScoredSplit): Promise<EpochMetrics> {
  return (await evaluateSplitWithConfusion(model, data, split)).metrics;
}

/** evaluateSplit's metrics, and a classifier's confusion matrix on the split. */
export async function evaluateSplitWithConfusion(model: tf.LayersModel, data: TrainingData, split: ScoredSplit): Promise<TestScores> {
  const [x, y] = split === 'val' ? [data.valX, data.valY] : [data.testX, data.testY];
  const predictions = predictInChunks(model, data, x);
  try {
    if (data.task === 'classify') {
      const [probabilities, targets] = await Promise.all([predictions.data(), y.data()]);
      return classificationMetrics(data, split, probabilities, targets);
    }
    const [loss, extra] = tf.tidy(() => {
      if (data.task === 'forecast') return [tf.losses.meanSquaredError(y, predictions), tf.losses.absoluteDifference(y, predictions)];
      const picked = tf.sum(tf.mul(tf.oneHot(tf.cast(y, 'int32'), data.vocabulary.length), predictions), 1);
      return [tf.neg(tf.mean(tf.log(tf.clipByValue(picked, 1e-7, 1)))), tf.scalar(0)];
    });
    const [lossValue, extraValue] = await Promise.all([loss.data(), extra.data()]);
    tf.dispose([loss, extra]);
    return { metrics: data.task === 'forecast' ? forecastMetrics(data, split, lossValue[0], extraValue[0]) : textMetrics(split, lossValue[0]), confusion: null };
  } finally {
    predictions.dispose();
  }
}

/** A forecast's loss and MAE on a split (from its errors in standardised units) with the seasonal-naive baseline's MAE: one rule for both engines. */
export function forecastMetrics(data: ForecastData, split: ScoredSplit, meanSquaredError: number, meanAbsoluteError: number): EpochMetrics {
  const baseline = split === 'val' ? data.seasonalNaiveMae : data.seasonalNaiveTestMae;
  return { [`${split}_loss`]: meanSquaredError, [`${split}_mae`]: meanAbsoluteError * data.target.std, [`seasonal_naive_${split}_mae`]: baseline };
}

/** A character model's cross-entropy on a split, and the same in bits per character: one rule for both engines. */
export function textMetrics(split: ScoredSplit, crossEntropy: number): EpochMetrics {
  return { [`${split}_loss`]: crossEntropy, [`${split}_bpc`]: crossEntropy / LN2 };
}

/** A classifier's loss, accuracy and macro-F1 on a split, with the baselines' on the same rows, and its confusion matrix: one rule for both engines. */
export function classificationMetrics(data: ClassifyData, split: ScoredSplit, probabilities: ArrayLike<number>, targets: ArrayLike<number>): TestScores {
  const scores = classificationScores(probabilities, targets, data.classes.length);
  const baselines = Object.fromEntries(Object.entries(data.baselines).filter(([name]) => name.includes(`_${split}_`)));
  return {
    metrics: { [`${split}_loss`]: scores.loss, [`${split}_accuracy`]: scores.accuracy, [`${split}_macro_f1`]: scores.macroF1, ...baselines },
    confusion: { classes: data.classes, counts: scores.confusion },
  };
}

/** Predictions for a split's inputs, a chunk at a time (one-hot text inputs are large). */
function predictInChunks(model: tf.LayersModel, data: TrainingData, inputs: tf.Tensor): tf.Tensor {
  const count = inputs.shape[0];
  const chunks: tf.Tensor[] = [];
  for (let start = 0; start < count; start += EVAL_BATCH) {
    const size = Math.min(EVAL_BATCH, count - start);
    chunks.push(tf.tidy(() => model.predict(modelInput(data, inputs.slice(start, size)), { batchSize: EVAL_BATCH }) as tf.Tensor));
  }
  const all = tf.concat(chunks);
  tf.dispose(chunks);
  return all;
}

/** The order of epoch `epoch`'s samples: seeded with (trial seed, epoch), so a resumed trial shuffles as an uninterrupted one. */
export function epochPermutation(count: number, seed: number, epoch: number): Int32Array {
  const rng = xoroshiro128plus((seed ^ Math.imul(epoch + 1, 0x85ebca6b)) >>> 0);
  const order = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = uniformInt(rng, 0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** What the model reads: feature rows as they are; character ids one-hot encoded. */
export function modelInput(data: TrainingData, x: tf.Tensor): tf.Tensor {
  return 'vocabulary' in data ? tf.oneHot(tf.cast(x, 'int32'), data.vocabulary.length) : x;
}
