import { TEST_SPLIT_DEFAULT, type TrialConfig } from '@tuneforge/contracts';
import type { ClassificationSamples, ForecastSeries, OutputKind } from '@tuneforge/formats';
import { runOnSetupThread } from '../setup-thread';
import { classificationArrays, classificationTensors, firstNamesSamples, seriesClassificationArrays, spamAssassinSamples, type ClassifyArrays } from './classification.dataset';
import type { TrainingData } from './dataset';
import { DatasetTooShortError, forecastArrays, forecastTensors, type ForecastArrays } from './forecast.dataset';
import { sotuCorpus, textArrays, textTensors, type TextArrays } from './sotu.dataset';
import { usBirthsSeries } from './us-births.dataset';

/** A dataset's samples as plain arrays, before they become the tensors trials share. */
export type TrainingArrays = ForecastArrays | TextArrays | ClassifyArrays;

/** What an uploaded dataset holds, read from its CSV: the series a forecast reads, or classification samples already split. */
export type UploadedData = ForecastSeries | ClassificationSamples;

const cache = new Map<string, TrainingData>();
const loading = new Map<string, Promise<TrainingData>>();

/**
 * The training data of a trial's dataset settings, built once per process and shared by trials
 * with the same settings. `uploaded` supplies the series of an uploaded dataset. Builds on this
 * thread: a worker uses loadTrainingData.
 */
export function trainingDataFor(dataset: TrialConfig['dataset'], uploaded?: UploadedData): TrainingData {
  const key = JSON.stringify(dataset);
  let data = cache.get(key);
  if (!data) {
    data = tensorsOf(trainingArraysFor(dataset, uploaded));
    cache.set(key, data);
  }
  return data;
}

/**
 * trainingDataFor's data (the same cache), with the dataset read and windowed on the setup thread:
 * the State of the Union corpus alone takes seconds to load and window, and the event loop has job
 * locks to renew meanwhile. Only making the tensors from the arrays runs here.
 */
export async function loadTrainingData(dataset: TrialConfig['dataset'], uploaded?: UploadedData): Promise<TrainingData> {
  const key = JSON.stringify(dataset);
  const cached = cache.get(key);
  if (cached) return cached;
  let pending = loading.get(key);
  if (!pending) {
    pending = runOnSetupThread('training-arrays', { dataset, uploaded })
      .then(
        (arrays) => {
          const data = cache.get(key) ?? tensorsOf(arrays);
          cache.set(key, data);
          return data;
        },
        (error: Error) => {
          // The thread's errors arrive as plain Errors; a too-short series fails the trial as it does here.
          throw error.name === 'DatasetTooShortError' ? new DatasetTooShortError(error.message) : error;
        },
      )
      .finally(() => loading.delete(key));
    loading.set(key, pending);
  }
  return pending;
}

/** A dataset's samples, without tensors (no tfjs: it runs on any thread). */
export function trainingArraysFor(dataset: TrialConfig['dataset'], uploaded?: UploadedData): TrainingArrays {
  const validationSplit = Number(dataset.validationSplit);
  // Configs stored before the test split existed lack it; they get the default.
  const testSplit = Number(dataset.testSplit ?? TEST_SPLIT_DEFAULT);
  const window = Number(dataset.window);
  // Configs stored before the output was chosen trained on the level.
  const output = (dataset.output ?? 'level') as OutputKind;
  if (dataset.source === 'upload') {
    if (!uploaded) throw new Error('an uploaded dataset needs its rows');
    if (!('kind' in uploaded)) return forecastArrays(uploaded, { window, horizon: Number(dataset.horizon), validationSplit, testSplit, output });
    if (uploaded.kind === 'series') return seriesClassificationArrays(uploaded);
    return classificationArrays(uploaded.samples, { maxLength: Number(dataset.maxLength), validationSplit, testSplit, split: uploaded.split });
  }
  switch (dataset.name) {
    case 'us-births-1969-1988':
      return forecastArrays(usBirthsSeries(), { window, horizon: Number(dataset.horizon), validationSplit, testSplit, output });
    case 'sotu':
      return textArrays(sotuCorpus(Number(dataset.maxChars)), { window, maxChars: Number(dataset.maxChars), validationSplit, testSplit });
    case 'first-names':
      return classificationArrays(firstNamesSamples(), { maxLength: Number(dataset.maxLength), validationSplit, testSplit });
    case 'spam-assassin':
      return classificationArrays(spamAssassinSamples(), { maxLength: Number(dataset.maxLength), validationSplit, testSplit });
    default:
      throw new Error(`unknown builtin dataset '${dataset.name}'`);
  }
}

function tensorsOf(arrays: TrainingArrays): TrainingData {
  switch (arrays.task) {
    case 'forecast':
      return forecastTensors(arrays);
    case 'text':
      return textTensors(arrays);
    case 'classify':
      return classificationTensors(arrays);
  }
}
