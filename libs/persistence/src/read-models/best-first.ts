import { bestFirst, type Direction } from '@tuneforge/contracts';

/** SQL ORDER BY terms that put a trial's best value first for the direction; trials without one last, ties by number. */
export function bestFirstOrder(direction: Direction, alias = ''): string {
  const column = alias ? `${alias}.` : '';
  return `${column}best_metric ${bestFirst(direction)} NULLS LAST, ${column}number`;
}
