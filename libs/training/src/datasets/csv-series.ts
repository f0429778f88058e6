import { CsvDatasetError, type CsvTable } from '@tuneforge/formats';
import type { TimeSeries } from './forecast.dataset';

/** The series a forecasting trial trains on: `target` and the `features` columns, standardised on the training rows. */
export function seriesFromCsv(table: CsvTable, target: string, features: readonly string[]): TimeSeries {
  const numeric = (name: string) => {
    const column = table.columns.find((c) => c.name === name);
    if (!column || column.type !== 'number') throw new CsvDatasetError([{ column: name, message: 'is not a numeric column of this dataset' }]);
    return table.values[name];
  };
  return { target: numeric(target), covariates: features.map((name) => ({ name, values: numeric(name), standardise: true })) };
}
