import { parameterAxis, type ParameterAxis, type SweepSpec, type TrialPointsDto } from '@tuneforge/contracts';

/** The ECharts axis for a parameter axis (parallel or cartesian), named. */
export function echartsAxis(axis: Exclude<ParameterAxis, { kind: 'constant' }>, name: string): Record<string, unknown> {
  if (axis.kind === 'category') return { name, type: 'category', data: axis.categories };
  const integer = axis.integer ? { minInterval: 1, axisLabel: { formatter: (v: number) => (Number.isInteger(v) ? String(v) : '') } } : {};
  return { name, type: axis.kind === 'log' ? 'log' : 'value', min: axis.min, max: axis.max, ...(axis.kind === 'log' ? { logBase: 10 } : {}), ...integer };
}

/** A parameter of the trial points (its column in each trial's values) and its axis. */
export interface ParameterColumn {
  name: string;
  column: number;
  axis: ParameterAxis;
}

/** Every parameter of the points with its axis from the search space, as the trials with an objective show it. */
export function parameterColumns(points: TrialPointsDto, spec: SweepSpec): ParameterColumn[] {
  const scored = points.trials.filter((t) => t.objective !== null);
  return points.parameters.map((name, column) => ({ name, column, axis: parameterAxis(spec.searchSpace, name, scored.map((t) => t.values[column])) }));
}
