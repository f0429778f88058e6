import type { TrialConfig } from '@tuneforge/contracts';
import { classificationSamplesFromCsv, CsvDatasetError, parseCsvTable, type ClassificationColumns, type CsvTable, type ForecastSeries } from '@tuneforge/formats';
import type { UploadedData } from './catalog';

/** The series a forecasting trial trains on: `target` and the `features` columns of an uploaded table. */
export function seriesFromCsv(table: CsvTable, target: string, features: readonly string[]): ForecastSeries {
  for (const name of [target, ...features]) {
    const column = table.columns.find((c) => c.name === name);
    if (!column || column.type !== 'number') throw new CsvDatasetError([{ column: name, message: 'is not a numeric column of this dataset' }]);
  }
  return {
    columns: table.values,
    target,
    timeColumn: table.columns.find((c) => c.type === 'time')?.name ?? null,
    features: features.map((column) => ({ kind: 'value', column })),
  };
}

/** What a trial on an uploaded dataset trains on, from the dataset's CSV and the trial's dataset settings. */
export function uploadedDataFromCsv(csv: string, dataset: TrialConfig['dataset']): UploadedData {
  const table = parseCsvTable(csv);
  if (dataset.task === 'classify') return classificationSamplesFromCsv(table, dataset as unknown as ClassificationColumns);
  return seriesFromCsv(table, String(dataset.target), (dataset.features as string[]) ?? []);
}
