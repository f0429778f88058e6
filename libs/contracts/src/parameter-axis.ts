import type { SweepSpec } from './sweep-spec.schema';

/** How a hyperparameter is drawn on an axis, from its search-space entry (not from the values that happen to be there). */
export type ParameterAxis =
  { kind: 'log' | 'linear'; min: number; max: number; integer: boolean } | { kind: 'category'; categories: string[] } | { kind: 'constant'; value: unknown };

/**
 * A float or int dimension is a value axis over its range, logarithmic when the spec says `log` (ints get integer
 * ticks); a choice (or a per-layer list, a boolean) is a category axis in the spec's order; a fixed value is a constant.
 */
export function parameterAxis(searchSpace: SweepSpec['searchSpace'], name: string, values: readonly unknown[]): ParameterAxis {
  const param = (searchSpace as Record<string, unknown>)[name];
  if (typeof param !== 'object' || param === null) return { kind: 'constant', value: param };
  const dim = param as { type: string; min?: number; max?: number; log?: boolean; values?: unknown[] };
  if ((dim.type === 'float' || dim.type === 'int') && dim.min !== undefined && dim.max !== undefined) {
    return { kind: dim.log ? 'log' : 'linear', min: dim.min, max: dim.max, integer: dim.type === 'int' };
  }
  if (dim.type === 'choice' && dim.values) return { kind: 'category', categories: dim.values.map(String) };
  // Per-layer lists ("64/32") and anything else: the values seen, in order.
  return { kind: 'category', categories: [...new Set(values.filter((v) => v !== null).map(String))].sort() };
}
