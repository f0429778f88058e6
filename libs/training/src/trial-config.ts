import { LR_SCHEDULES, MODEL_HYPERPARAMETERS, OPTIMIZERS, RECURRENT_CELLS, type ModelHyperparameterName, type RecurrentCell, type TrialConfig } from '@tuneforge/contracts';
import type { DecodedCheckpoint } from '@tuneforge/formats';
import { LearningRateSchedule } from './learning-rate-schedule';
import type { RecurrentHyperparameters } from './recurrent.model';
import type { StepSettings } from './trainer';

// What a trial's config says about its model and its training, read the same by the tfjs and native sessions.

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
