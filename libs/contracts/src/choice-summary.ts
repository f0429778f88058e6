import type { Direction } from './lifecycle';
import type { TrialPointsDto } from './dashboard';

export interface ChoiceSummaryRow {
  value: string;
  /** Trials with an objective value that took this value. */
  trials: number;
  best: number;
  median: number;
}

/**
 * A parameter's trials grouped by its value (a choice such as `cell`): how many have an objective
 * value, their best and median, best group first. Trials without a value of the objective are left out.
 */
export function summarizeByChoice(points: TrialPointsDto, parameter: string, direction: Direction): ChoiceSummaryRow[] {
  const column = points.parameters.indexOf(parameter);
  if (column < 0) return [];
  const groups = new Map<string, number[]>();
  for (const trial of points.trials) {
    const value = trial.values[column];
    if (trial.objective === null || value === null || value === undefined) continue;
    const key = String(value);
    groups.set(key, [...(groups.get(key) ?? []), trial.objective]);
  }
  const sign = direction === 'minimize' ? 1 : -1;
  const rows = [...groups].map(([value, objectives]) => {
    const sorted = [...objectives].sort((a, b) => sign * (a - b));
    const middle = (sorted.length - 1) / 2;
    return { value, trials: sorted.length, best: sorted[0], median: (sorted[Math.floor(middle)] + sorted[Math.ceil(middle)]) / 2 };
  });
  return rows.sort((a, b) => sign * (a.best - b.best));
}
