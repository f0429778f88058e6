import { CsvDatasetError, type CsvTable, type ForecastSeries } from '@tuneforge/formats';

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
