/** The domain a tunable value must stay in, whether it is fixed or searched. */
export interface NumericDomain {
  readonly kind: 'int' | 'float';
  readonly min: number;
  readonly max: number;
  readonly default: number;
  readonly description: string;
}

/** A tunable value that names one of a fixed set of options. */
export interface CategoricalDomain {
  readonly kind: 'category';
  readonly values: readonly string[];
  readonly default: string;
  readonly description: string;
}

/** A tunable switch. */
export interface BooleanDomain {
  readonly kind: 'boolean';
  readonly default: boolean;
  readonly description: string;
}

export type HyperparameterDomain = NumericDomain | CategoricalDomain | BooleanDomain;

/** The recurrent cells a layer can be, as TensorFlow.js's LSTM, GRU and SimpleRNN layers (and the native engine) compute them. */
export const RECURRENT_CELLS = ['lstm', 'gru', 'rnn'] as const;
export type RecurrentCell = (typeof RECURRENT_CELLS)[number];

/** TensorFlow.js's optimizers (Momentum for sgd with momentum > 0); adamw is Adam with decoupled weight decay. */
export const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** How the learning rate moves over the epochs, after any warm-up. */
export const LR_SCHEDULES = ['constant', 'cosine', 'step', 'plateau'] as const;
export type LrSchedule = (typeof LR_SCHEDULES)[number];

export const MODEL_HYPERPARAMETERS = {
  cell: { kind: 'category', values: RECURRENT_CELLS, default: 'lstm', description: 'recurrent cell of each layer' },
  hiddenUnits: { kind: 'int', min: 1, max: 4096, default: 64, description: 'recurrent units per layer' },
  layers: { kind: 'int', min: 1, max: 8, default: 1, description: 'stacked recurrent layers' },
  bidirectional: { kind: 'boolean', default: false, description: 'each recurrent layer reads the sequence both ways (outputs concatenated)' },
  dropout: { kind: 'float', min: 0, max: 0.95, default: 0, description: 'dropout on each layer output' },
  recurrentDropout: { kind: 'float', min: 0, max: 0.95, default: 0, description: 'dropout on the recurrent state' },
  learningRate: { kind: 'float', min: 1e-7, max: 1, default: 1e-3, description: 'learning rate (the schedule\'s peak)' },
  batchSize: { kind: 'int', min: 1, max: 65536, default: 64, description: 'samples per gradient step' },
  optimizer: { kind: 'category', values: OPTIMIZERS, default: 'adam', description: 'optimizer' },
  momentum: { kind: 'float', min: 0, max: 0.999, default: 0, description: 'momentum of sgd and rmsprop' },
  weightDecay: { kind: 'float', min: 0, max: 1, default: 0, description: 'weight decay: an L2 term in the gradient, decoupled for adamw' },
  clipNorm: { kind: 'float', min: 0, max: 1e6, default: 0, description: 'clip the global gradient norm to this (0: off)' },
  lrSchedule: { kind: 'category', values: LR_SCHEDULES, default: 'constant', description: 'learning-rate schedule' },
  warmupEpochs: { kind: 'int', min: 0, max: 1000, default: 0, description: 'epochs of linear learning-rate warm-up' },
  lrDecay: { kind: 'float', min: 0.01, max: 1, default: 0.5, description: 'factor the step and plateau schedules multiply the learning rate by' },
  lrStepEpochs: { kind: 'int', min: 1, max: 10_000, default: 10, description: 'epochs between the step schedule\'s decays' },
  lrPatience: { kind: 'int', min: 1, max: 1000, default: 3, description: 'epochs without a better val_loss before the plateau schedule decays' },
} as const satisfies Record<string, HyperparameterDomain>;

export type ModelHyperparameterName = keyof typeof MODEL_HYPERPARAMETERS;
export const MODEL_HYPERPARAMETER_NAMES = Object.keys(MODEL_HYPERPARAMETERS) as ModelHyperparameterName[];

export const DATASET_HYPERPARAMETERS = {
  window: { kind: 'int', min: 1, max: 2000, default: 28, description: 'input timesteps per sample' },
  horizon: { kind: 'int', min: 1, max: 365, default: 1, description: 'timesteps forecast per sample' },
  maxChars: { kind: 'int', min: 1000, max: 10_000_000, default: 200_000, description: 'corpus size cap for text datasets' },
  maxLength: { kind: 'int', min: 1, max: 5000, default: 256, description: 'characters read per sample of a classification dataset (the rest is cut)' },
} as const satisfies Record<string, NumericDomain>;

export type DatasetHyperparameterName = keyof typeof DATASET_HYPERPARAMETERS;
