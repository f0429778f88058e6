import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  calendarFeatures,
  decodeCheckpoint,
  encodeCheckpointContainer,
  forecastPreprocessingOf,
  MODEL_BUNDLE_FORMAT,
  toModelBundle,
  type CheckpointArtifacts,
  type ForecastPreprocessing,
  type ModelBundleMetadata,
  type OutputKind,
  type Preprocessing,
  type SeriesColumns,
  type WeightSpec,
} from '@tuneforge/formats';

/**
 * Test fixtures (used by this lib's specs only): tiny seeded models written as a Tuneforge bundle the way
 * the coordinator exports one (checkpoint container -> toModelBundle), so the specs read what users get.
 */

const DAY = 86_400_000;

/** `count` daily rows from 2020-01-01 (UTC): a weekly wave plus a trend, in a `date` and a `sales` column. */
export function dailySeries(count: number): { date: number[]; sales: number[] } {
  const date = Array.from({ length: count }, (_, i) => Date.UTC(2020, 0, 1) + i * DAY);
  const sales = date.map((_, i) => 100 + 20 * Math.sin((2 * Math.PI * i) / 7) + i * 0.5);
  return { date, sales };
}

/** The series as CSV text (ISO dates). */
export function dailyCsv(series: { date: number[]; sales: number[] }): string {
  return ['date,sales', ...series.date.map((t, i) => `${new Date(t).toISOString().slice(0, 10)},${series.sales[i]}`)].join('\n') + '\n';
}

/** A forecaster's preprocessing for `sales` (window 8, horizon 2, seasonal-difference output), with calendar features of `date`, its statistics from the first rows. */
export function salesPreprocessing(columns: SeriesColumns, options: { window?: number; horizon?: number; output?: OutputKind } = {}): ForecastPreprocessing {
  const { window = 8, horizon = 2, output = 'seasonal-difference' } = options;
  return forecastPreprocessingOf({ columns, target: 'sales', timeColumn: 'date', features: calendarFeatures('date') }, { window, horizon, trainEnd: 30, output });
}

function metadataOf(preprocessing: Preprocessing): ModelBundleMetadata {
  return {
    format: MODEL_BUNDLE_FORMAT,
    preprocessing,
    trial: { id: '00000000-0000-4000-8000-000000000001', sweepId: '00000000-0000-4000-8000-000000000002', number: 0, seed: 7, bestEpoch: 1, config: {} },
    objective: { metric: 'val_loss', direction: 'minimize' },
    scores: { validation: 0.5, test: null },
  };
}

/** A small seeded LSTM of the preprocessing's shape (forecast: window x inputs -> horizon; text: window x vocabulary -> softmax). */
export function tinyModel(preprocessing: Exclude<Preprocessing, { task: 'classify' }>): tf.LayersModel {
  let seed = 11;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const model = tf.sequential();
  const inputShape = preprocessing.task === 'forecast' ? [preprocessing.window, preprocessing.inputs.length] : [preprocessing.window, preprocessing.vocabulary.length];
  model.add(tf.layers.lstm({ units: 4, inputShape, kernelInitializer: init(), recurrentInitializer: init() }));
  model.add(
    preprocessing.task === 'forecast'
      ? tf.layers.dense({ units: preprocessing.horizon, kernelInitializer: init() })
      : tf.layers.dense({ units: preprocessing.vocabulary.length, activation: 'softmax', kernelInitializer: init() }),
  );
  return model;
}

/** Writes the model as an exported bundle (model.json naming weights.bin, and weights.bin) into `dir`; `edit` may change model.json first. */
export async function writeBundle(dir: string, model: tf.LayersModel, preprocessing: Preprocessing, edit: (modelJson: Record<string, unknown>) => void = () => undefined): Promise<string> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const artifacts = saved as tf.io.ModelArtifacts;
  const container = encodeCheckpointContainer(
    { modelTopology: artifacts.modelTopology as object, weightSpecs: artifacts.weightSpecs as WeightSpec[], weightData: artifacts.weightData as ArrayBuffer } satisfies CheckpointArtifacts,
    { epoch: 1, seed: 7, bestMetric: 0.5 },
  );
  const bundle = toModelBundle(decodeCheckpoint(container), metadataOf(preprocessing), 'weights.bin');
  const modelJson = bundle.modelJson as Record<string, unknown>;
  edit(modelJson);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(modelJson));
  writeFileSync(join(dir, 'weights.bin'), bundle.weights);
  return dir;
}
