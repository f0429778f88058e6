import type { ParameterAxis } from '@tuneforge/contracts';

/** The ECharts axis for a parameter axis (parallel or cartesian), named. */
export function echartsAxis(axis: Exclude<ParameterAxis, { kind: 'constant' }>, name: string): Record<string, unknown> {
  if (axis.kind === 'category') return { name, type: 'category', data: axis.categories };
  const integer = axis.integer ? { minInterval: 1, axisLabel: { formatter: (v: number) => (Number.isInteger(v) ? String(v) : '') } } : {};
  return { name, type: axis.kind === 'log' ? 'log' : 'value', min: axis.min, max: axis.max, ...(axis.kind === 'log' ? { logBase: 10 } : {}), ...integer };
}
