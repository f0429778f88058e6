/** The domain a tunable value must stay in, whether it is fixed or searched. */
export interface NumericDomain {
  readonly kind: 'int' | 'float';
  readonly min: number;
  readonly max: number;
  readonly default: number;
  readonly description: string;
}

export const MODEL_HYPERPARAMETERS = {
  hiddenUnits: { kind: 'int', min: 1, max: 4096, default: 64, description: 'LSTM units per layer' },
  layers: { kind: 'int', min: 1, max: 8, default: 1, description: 'stacked LSTM layers' },
  dropout: { kind: 'float', min: 0, max: 0.95, default: 0, description: 'dropout on each layer output' },
  recurrentDropout: { kind: 'float', min: 0, max: 0.95, default: 0, description: 'dropout on the recurrent state' },
  learningRate: { kind: 'float', min: 1e-7, max: 1, default: 1e-3, description: 'Adam learning rate' },
  batchSize: { kind: 'int', min: 1, max: 65536, default: 64, description: 'samples per gradient step' },
} as const satisfies Record<string, NumericDomain>;

export type ModelHyperparameterName = keyof typeof MODEL_HYPERPARAMETERS;
export const MODEL_HYPERPARAMETER_NAMES = Object.keys(MODEL_HYPERPARAMETERS) as ModelHyperparameterName[];

export const DATASET_HYPERPARAMETERS = {
  window: { kind: 'int', min: 1, max: 2000, default: 28, description: 'input timesteps per sample' },
  horizon: { kind: 'int', min: 1, max: 365, default: 1, description: 'timesteps forecast per sample' },
  maxChars: { kind: 'int', min: 1000, max: 10_000_000, default: 200_000, description: 'corpus size cap for text datasets' },
} as const satisfies Record<string, NumericDomain>;

export type DatasetHyperparameterName = keyof typeof DATASET_HYPERPARAMETERS;
