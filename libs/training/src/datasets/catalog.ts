import type { TrialConfig } from '@tuneforge/contracts';
import type { TrainingData } from './dataset';
import { forecastData, type TimeSeries } from './forecast.dataset';
import { sotuCorpus, textData } from './sotu.dataset';
import { usBirthsSeries } from './us-births.dataset';

const cache = new Map<string, TrainingData>();

/**
 * The training data of a trial's dataset settings, built once per process and shared by trials
 * with the same settings. `uploaded` supplies the series of an uploaded dataset.
 */
export function trainingDataFor(dataset: TrialConfig['dataset'], uploaded?: TimeSeries): TrainingData {
  const key = JSON.stringify(dataset);
  let data = cache.get(key);
  if (!data) {
    data = build(dataset, uploaded);
    cache.set(key, data);
  }
  return data;
}

function build(dataset: TrialConfig['dataset'], uploaded?: TimeSeries): TrainingData {
  const validationSplit = Number(dataset.validationSplit);
  const window = Number(dataset.window);
  if (dataset.source === 'upload') {
    if (!uploaded) throw new Error('an uploaded dataset needs its series');
    return forecastData(uploaded, { window, horizon: Number(dataset.horizon), validationSplit });
  }
  switch (dataset.name) {
    case 'us-births-1969-1988':
      return forecastData(usBirthsSeries(), { window, horizon: Number(dataset.horizon), validationSplit });
    case 'sotu':
      return textData(sotuCorpus(Number(dataset.maxChars)), { window, maxChars: Number(dataset.maxChars), validationSplit });
    default:
      throw new Error(`unknown builtin dataset '${dataset.name}'`);
  }
}
