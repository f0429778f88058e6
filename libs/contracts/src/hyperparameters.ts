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

export type HyperparameterDomain = NumericDomain | CategoricalDomain;

/** The recurrent cells a layer can be, as TensorFlow.js's LSTM, GRU and SimpleRNN layers (and the native engine) compute them. */
export const RECURRENT_CELLS = ['lstm', 'gru', 'rnn'] as const;
export type RecurrentCell = (typeof RECURRENT_CELLS)[number];

export const MODEL_HYPERPARAMETERS = {
  cell: { kind: 'category', values: RECURRENT_CELLS, default: 'lstm', description: 'recurrent cell of each layer' },
  hiddenUnits: { kind: 'int', min: 1, max: 4096, default: 64, description: 'recurrent units per layer' },
  layers: { kind: 'int', min: 1, max: 8, default: 1, description: 'stacked recurrent layers' },
  dropout: { kind: 'float', min: 0, max: 0.95, default: 0, description: 'dropout on each layer output' },
  recurrentDropout: { kind: 'float', min: 0, max: 0.95, default: 0, description: 'dropout on the recurrent state' },
  learningRate: { kind: 'float', min: 1e-7, max: 1, default: 1e-3, description: 'Adam learning rate' },
  batchSize: { kind: 'int', min: 1, max: 65536, default: 64, description: 'samples per gradient step' },
} as const satisfies Record<string, HyperparameterDomain>;

export type ModelHyperparameterName = keyof typeof MODEL_HYPERPARAMETERS;
export const MODEL_HYPERPARAMETER_NAMES = Object.keys(MODEL_HYPERPARAMETERS) as ModelHyperparameterName[];

export const DATASET_HYPERPARAMETERS = {
  window: { kind: 'int', min: 1, max: 2000, default: 28, description: 'input timesteps per sample' },
  horizon: { kind: 'int', min: 1, max: 365, default: 1, description: 'timesteps forecast per sample' },
  maxChars: { kind: 'int', min: 1000, max: 10_000_000, default: 200_000, description: 'corpus size cap for text datasets' },
} as const satisfies Record<string, NumericDomain>;

export type DatasetHyperparameterName = keyof typeof DATASET_HYPERPARAMETERS;
