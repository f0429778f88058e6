import type { Direction } from '@tuneforge/contracts';

export interface ParetoPoint<T> {
  item: T;
  values: readonly number[];
}

/** Whether `a` is at least as good as `b` everywhere and better somewhere. */
export function dominates(a: readonly number[], b: readonly number[], directions: readonly Direction[]): boolean {
  let better = false;
  for (let i = 0; i < directions.length; i++) {
    const sign = directions[i] === 'minimize' ? 1 : -1;
    if (sign * (a[i] - b[i]) > 0) return false;
    if (sign * (a[i] - b[i]) < 0) better = true;
  }
  return better;
}

/** The non-dominated points, ordered by the first objective (best first). */
export function paretoFront<T>(points: readonly ParetoPoint<T>[], directions: readonly Direction[]): ParetoPoint<T>[] {
  const front = points.filter((p) => !points.some((q) => q !== p && dominates(q.values, p.values, directions)));
  const sign = directions[0] === 'minimize' ? 1 : -1;
  return front.sort((a, b) => sign * (a.values[0] - b.values[0]));
}
