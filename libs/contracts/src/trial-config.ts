import type { TrialConfig } from './api';
import { MODEL_HYPERPARAMETERS, MODEL_HYPERPARAMETER_NAMES } from './hyperparameters';
import type { Dimension, ParamValue } from './search-space.schema';
import type { SweepSpec } from './sweep-spec.schema';

const DATASET_PREFIX = 'dataset.';

/** The dimensions a sweep searches over, keyed `hiddenUnits`, `dataset.window`, ..., in a stable order. */
export function searchDimensionsOf(spec: SweepSpec): Record<string, Dimension> {
  const dimensions: Record<string, Dimension> = {};
  for (const [field, value] of Object.entries(spec.dataset)) {
    if (isDimension(value)) dimensions[DATASET_PREFIX + field] = value;
  }
  for (const name of MODEL_HYPERPARAMETER_NAMES) {
    const value = spec.searchSpace[name];
    if (isDimension(value)) dimensions[name] = value;
  }
  return dimensions;
}

/** The concrete configuration of one trial: fixed values and defaults, plus one value per dimension. */
export function trialConfigOf(spec: SweepSpec, assignment: Record<string, ParamValue>): TrialConfig {
  const dataset: Record<string, ParamValue | string[]> = {};
  for (const [field, value] of Object.entries(spec.dataset)) {
    dataset[field] = isDimension(value) ? required(assignment, DATASET_PREFIX + field) : (value as ParamValue | string[]);
  }
  const hyperparameters: Record<string, ParamValue> = {};
  for (const name of MODEL_HYPERPARAMETER_NAMES) {
    const value = spec.searchSpace[name] ?? MODEL_HYPERPARAMETERS[name].default;
    hyperparameters[name] = isDimension(value) ? required(assignment, name) : value;
  }
  return {
    model: spec.model,
    dataset: dataset as TrialConfig['dataset'],
    hyperparameters,
    maxEpochs: spec.earlyStopping.type === 'asha' || spec.earlyStopping.type === 'hyperband' ? (spec.earlyStopping.maxEpochs ?? spec.budget.maxEpochsPerTrial) : spec.budget.maxEpochsPerTrial,
    checkpointEvery: spec.checkpointEvery,
  };
}

/** The values a trial's config holds for each searched dimension: the inverse of trialConfigOf. */
export function assignmentOf(config: TrialConfig, dimensionKeys: readonly string[]): Record<string, ParamValue> {
  const assignment: Record<string, ParamValue> = {};
  for (const key of dimensionKeys) {
    const value = key.startsWith(DATASET_PREFIX) ? config.dataset[key.slice(DATASET_PREFIX.length)] : config.hyperparameters[key];
    if (value !== undefined && !Array.isArray(value)) assignment[key] = value;
  }
  return assignment;
}

function isDimension(value: unknown): value is Dimension {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'type' in value;
}

function required(assignment: Record<string, ParamValue>, key: string): ParamValue {
  const value = assignment[key];
  if (value === undefined) throw new Error(`the search produced no value for '${key}'`);
  return value;
}
