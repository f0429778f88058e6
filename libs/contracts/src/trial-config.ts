import type { TrialConfig } from './api';
import { trialEpochsOf } from './early-stopping.schema';
import { DATASET_HYPERPARAMETERS, MODEL_HYPERPARAMETERS, MODEL_HYPERPARAMETER_NAMES, type DatasetHyperparameterName } from './hyperparameters';
import type { Dimension, ParamValue, PerLayer } from './search-space.schema';
import type { SweepSpec } from './sweep-spec.schema';

const DATASET_PREFIX = 'dataset.';

/**
 * The dimensions a sweep searches over, keyed `hiddenUnits`, `dataset.window`, `hiddenUnits.1`, ...:
 * per-layer dimensions are expanded (layer i exists when layers > i), and a dimension always comes
 * after the dimensions its conditions read.
 */
export function searchDimensionsOf(spec: SweepSpec): Record<string, Dimension> {
  const dimensions: Record<string, Dimension> = {};
  for (const [field, value] of Object.entries(spec.dataset)) {
    if (isDimension(value)) dimensions[DATASET_PREFIX + field] = value;
  }
  for (const name of MODEL_HYPERPARAMETER_NAMES) {
    const value = spec.searchSpace[name];
    if (isPerLayer(value)) Object.assign(dimensions, perLayerDimensions(name, value, spec.searchSpace.layers ?? MODEL_HYPERPARAMETERS.layers.default));
    else if (isDimension(value)) dimensions[name] = value;
  }
  return topologicalOrder(dimensions).order;
}

function perLayerDimensions(name: string, param: PerLayer, layers: number | Dimension | PerLayer): Record<string, Dimension> {
  const out: Record<string, Dimension> = {};
  if (typeof layers === 'number') {
    for (let i = 0; i < layers; i++) out[`${name}.${i}`] = param.item;
    return out;
  }
  const most = layers.type === 'choice' ? Math.max(...layers.values.map(Number)) : layers.type === 'perLayer' ? 1 : layers.max;
  for (let i = 0; i < most; i++) out[`${name}.${i}`] = i === 0 ? param.item : { ...param.item, when: { ...param.item.when, layers: { gt: i } } };
  return out;
}

/** Problems with conditions: unknown dimensions and cycles, each with the path of the condition. */
export function conditionIssues(spec: SweepSpec): { path: (string | number)[]; message: string }[] {
  const dimensions: Record<string, Dimension> = {};
  for (const [field, value] of Object.entries(spec.dataset)) if (isDimension(value)) dimensions[DATASET_PREFIX + field] = value;
  for (const name of MODEL_HYPERPARAMETER_NAMES) {
    const value = spec.searchSpace[name];
    if (isPerLayer(value)) Object.assign(dimensions, perLayerDimensions(name, value, spec.searchSpace.layers ?? MODEL_HYPERPARAMETERS.layers.default));
    else if (isDimension(value)) dimensions[name] = value;
  }
  const issues: { path: (string | number)[]; message: string }[] = [];
  for (const [key, dimension] of Object.entries(dimensions)) {
    for (const parent of Object.keys(dimension.when ?? {})) {
      if (!(parent in dimensions)) {
        issues.push({ path: [...pathOf(key), 'when', parent], message: `'${parent}' is not a search dimension of this sweep (conditions can only read dimensions)` });
      }
    }
  }
  const { cycle } = topologicalOrder(dimensions);
  if (cycle) issues.push({ path: [...pathOf(cycle[0]), 'when'], message: `conditions form a cycle: ${cycle.join(' -> ')}` });
  return issues;
}

function pathOf(key: string): (string | number)[] {
  if (key.startsWith(DATASET_PREFIX)) return ['dataset', key.slice(DATASET_PREFIX.length)];
  const [name, layer] = key.split('.');
  return layer === undefined ? ['searchSpace', name] : ['searchSpace', name, 'item'];
}

/** Dimensions ordered so that each follows those its conditions read; a cycle is reported, not ordered. */
function topologicalOrder(dimensions: Record<string, Dimension>): { order: Record<string, Dimension>; cycle?: string[] } {
  const order: Record<string, Dimension> = {};
  const state = new Map<string, 'visiting' | 'done'>();
  let cycle: string[] | undefined;
  const visit = (key: string, trail: string[]) => {
    if (state.get(key) === 'done' || cycle) return;
    if (state.get(key) === 'visiting') {
      cycle = [...trail.slice(trail.indexOf(key)), key];
      return;
    }
    state.set(key, 'visiting');
    for (const parent of Object.keys(dimensions[key].when ?? {})) if (parent in dimensions) visit(parent, [...trail, key]);
    state.set(key, 'done');
    order[key] = dimensions[key];
  };
  for (const key of Object.keys(dimensions)) visit(key, []);
  return { order, cycle };
}

/** The concrete configuration of one trial: fixed values and defaults, plus one value per dimension. */
export function trialConfigOf(spec: SweepSpec, assignment: Record<string, ParamValue>): TrialConfig {
  const dataset: Record<string, ParamValue | string[]> = {};
  for (const [field, value] of Object.entries(spec.dataset)) {
    const key = DATASET_PREFIX + field;
    if (!isDimension(value)) dataset[field] = value as ParamValue | string[];
    else if (value.when && assignment[key] === undefined) dataset[field] = DATASET_HYPERPARAMETERS[field as DatasetHyperparameterName].default;
    else dataset[field] = required(assignment, key);
  }
  const hyperparameters: Record<string, ParamValue | (number | string)[]> = {};
  for (const name of MODEL_HYPERPARAMETER_NAMES) {
    const value = spec.searchSpace[name] ?? MODEL_HYPERPARAMETERS[name].default;
    if (isPerLayer(value)) {
      const perLayer: (number | string)[] = [];
      for (let i = 0; assignment[`${name}.${i}`] !== undefined; i++) {
        const value = assignment[`${name}.${i}`];
        perLayer.push(typeof value === 'string' ? value : Number(value));
      }
      hyperparameters[name] = perLayer;
    } else if (isDimension(value)) {
      // A conditional dimension that is off in this trial leaves the hyperparameter at its default.
      hyperparameters[name] = value.when && assignment[name] === undefined ? MODEL_HYPERPARAMETERS[name].default : required(assignment, name);
    } else {
      hyperparameters[name] = value;
    }
  }
  return {
    model: spec.model,
    dataset: dataset as TrialConfig['dataset'],
    hyperparameters,
    maxEpochs: trialEpochsOf(spec.earlyStopping, spec.budget),
    checkpointEvery: spec.checkpointEvery,
  };
}

/** The values a trial's config holds for each searched dimension: the inverse of trialConfigOf. */
export function assignmentOf(config: TrialConfig, dimensionKeys: readonly string[]): Record<string, ParamValue> {
  const assignment: Record<string, ParamValue> = {};
  for (const key of dimensionKeys) {
    const [name, layer] = key.startsWith(DATASET_PREFIX) ? [key, undefined] : key.split('.');
    const stored = key.startsWith(DATASET_PREFIX) ? config.dataset[key.slice(DATASET_PREFIX.length)] : config.hyperparameters[name];
    const value = Array.isArray(stored) ? (layer === undefined ? undefined : stored[Number(layer)]) : stored;
    if (value !== undefined && !Array.isArray(value)) assignment[key] = value;
  }
  return assignment;
}

function isDimension(value: unknown): value is Dimension {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'type' in value && (value as { type: string }).type !== 'perLayer';
}

function isPerLayer(value: unknown): value is PerLayer {
  return typeof value === 'object' && value !== null && (value as { type?: string }).type === 'perLayer';
}

function required(assignment: Record<string, ParamValue>, key: string): ParamValue {
  const value = assignment[key];
  if (value === undefined) throw new Error(`the search produced no value for '${key}'`);
  return value;
}
