import type * as tf from '@tensorflow/tfjs';
import { LR_SCHEDULES, MODEL_HYPERPARAMETERS, OPTIMIZERS, RECURRENT_CELLS, type ModelHyperparameterName, type Objective, type RecurrentCell, type TrialConfig } from '@tuneforge/contracts';
import { CHECKPOINT_FORMAT, type DecodedCheckpoint, type Preprocessing } from '@tuneforge/formats';
import { encodeCheckpoint, restoreModel, scoreCheckpointOnTest } from './checkpoint';
import type { TrainingData } from './datasets/dataset';
import type { RecurrentHyperparameters } from './recurrent.model';
import { buildSeededRecurrentModel } from './seeded-weights';
import { LearningRateSchedule } from './learning-rate-schedule';
import { TrialTrainer, type EpochMetrics, type StepSettings } from './trainer';
import type { TestScores, TrainingSession } from './training-session';

/**
 * One trial's model and progress: built fresh from the config and seed, or restored from a
 * checkpoint (weights, Adam's state, last epoch, best value so far).
 */
export class TrialSession implements TrainingSession {
  readonly checkpointFormat = CHECKPOINT_FORMAT;
  private constructor(
    private readonly trainer: TrialTrainer,
    private readonly schedule: LearningRateSchedule,
    private readonly data: TrainingData,
    private readonly objective: Objective,
    private readonly seed: number,
    /** Last completed epoch. */
    public epoch: number,
    public bestMetric: number | null,
  ) {}

  static async open(data: TrainingData, config: TrialConfig, seed: number, objective: Objective, checkpoint?: DecodedCheckpoint): Promise<TrialSession> {
    const model: tf.LayersModel = checkpoint ? await restoreModel(checkpoint) : await buildSeededRecurrentModel(data, recurrentHyperparameters(config), seed);
    const trainer = new TrialTrainer(model, data, Number(config.hyperparameters.batchSize), seed, stepSettings(config));
    return new TrialSession(trainer, scheduleOf(config, checkpoint), data, objective, seed, checkpoint?.state.epoch ?? 0, checkpoint?.state.bestMetric ?? null);
  }

  /** Trains the next epoch and returns its metrics; the best objective value is kept up to date. */
  async trainNextEpoch(): Promise<EpochMetrics> {
    const epoch = this.epoch + 1;
    const learningRate = this.schedule.rateFor(epoch);
    const metrics = await this.trainer.trainEpoch(epoch, learningRate);
    metrics.param_count = this.trainer.model.countParams();
    metrics.learning_rate = learningRate;
    this.schedule.afterEpoch(epoch, metrics.val_loss);
    this.epoch = epoch;
    this.bestMetric = bestSoFar(this.objective, this.bestMetric, metrics);
    return metrics;
  }

  get model(): tf.LayersModel {
    return this.trainer.model;
  }

  get samplesPerEpoch(): number {
    return this.data.trainX.shape[0];
  }

  get preprocessing(): Preprocessing {
    return this.data.preprocessing;
  }

  checkpoint(): Promise<Buffer> {
    return encodeCheckpoint(this.trainer.model, { epoch: this.epoch, seed: this.seed, bestMetric: this.bestMetric, plateau: this.schedule.state });
  }

  async scoreOnTest(bestCheckpoint: () => Promise<Buffer>): Promise<TestScores> {
    return scoreCheckpointOnTest(this.data, await bestCheckpoint());
  }

  dispose(): void {
    this.trainer.model.dispose();
  }
}

/** The model hyperparameters of a trial's config (one without a cell, from before cells were a choice, is an LSTM). */
export function recurrentHyperparameters(config: TrialConfig): RecurrentHyperparameters {
  const hp = config.hyperparameters;
  return {
    cell: Array.isArray(hp.cell) ? hp.cell.map(recurrentCell) : recurrentCell(setting(config, 'cell')),
    hiddenUnits: Array.isArray(hp.hiddenUnits) ? hp.hiddenUnits.map(Number) : Number(hp.hiddenUnits),
    bidirectional: hp.bidirectional === true,
    layers: Number(hp.layers),
    dropout: Number(hp.dropout),
    recurrentDropout: Number(hp.recurrentDropout),
    learningRate: Number(hp.learningRate),
    optimizer: oneOf(OPTIMIZERS, setting(config, 'optimizer'), 'optimizer'),
    momentum: Number(setting(config, 'momentum')),
  };
}

/** What each step does to the gradients (trial configs from before these were hyperparameters: plain Adam). */
export function stepSettings(config: TrialConfig): StepSettings {
  return {
    optimizer: oneOf(OPTIMIZERS, setting(config, 'optimizer'), 'optimizer'),
    weightDecay: Number(setting(config, 'weightDecay')),
    clipNorm: Number(setting(config, 'clipNorm')),
  };
}

/** The trial's learning-rate schedule, where a checkpoint left it. */
export function scheduleOf(config: TrialConfig, checkpoint?: DecodedCheckpoint): LearningRateSchedule {
  return new LearningRateSchedule(
    {
      schedule: oneOf(LR_SCHEDULES, setting(config, 'lrSchedule'), 'lrSchedule'),
      peak: Number(config.hyperparameters.learningRate),
      warmupEpochs: Number(setting(config, 'warmupEpochs')),
      decay: Number(setting(config, 'lrDecay')),
      stepEpochs: Number(setting(config, 'lrStepEpochs')),
      patience: Number(setting(config, 'lrPatience')),
      maxEpochs: config.maxEpochs,
    },
    checkpoint?.state.plateau,
  );
}

/** A hyperparameter of the trial's config, or its default (contracts' MODEL_HYPERPARAMETERS) in a config stored before it existed. */
function setting(config: TrialConfig, name: ModelHyperparameterName): unknown {
  return config.hyperparameters[name] ?? MODEL_HYPERPARAMETERS[name].default;
}

function recurrentCell(value: unknown): RecurrentCell {
  return oneOf(RECURRENT_CELLS, value, 'cell');
}

function oneOf<T extends string>(options: readonly T[], value: unknown, name: string): T {
  if (!options.includes(value as T)) throw new Error(`the trial's ${name} ${JSON.stringify(value)} is not one of ${options.join(', ')}`);
  return value as T;
}

/** The best objective value after an epoch with these metrics. */
export function bestSoFar(objective: Objective, best: number | null, metrics: EpochMetrics): number | null {
  const value = metrics[objective.metric];
  if (value === undefined || !Number.isFinite(value)) return best;
  const better = objective.direction === 'minimize' ? value < (best ?? Infinity) : value > (best ?? -Infinity);
  return best === null || better ? value : best;
}
