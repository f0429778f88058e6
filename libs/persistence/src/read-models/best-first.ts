import { bestFirst, type Direction } from '@tuneforge/contracts';

/** SQL ORDER BY terms that put a trial's best value first for the direction; trials without one last, ties by number. */
export function bestFirstOrder(direction: Direction, alias = ''): string {
  const column = alias ? `${alias}.` : '';
  return `${column}best_metric ${bestFirst(direction)} NULLS LAST, ${column}number`;
}

/**
 * The same order for rows that all have a value (the statement says `best_metric IS NOT NULL`): PostgreSQL's own
 * null placement, so ix_trials_sweep_best_metric_number gives the order forwards (minimize) or backwards (maximize)
 * and a LIMIT reads only the first rows, sorting ties by number. With `NULLS LAST` a descending read sorts every row.
 */
export function bestValueOrder(direction: Direction, alias = ''): string {
  const column = alias ? `${alias}.` : '';
  return `${column}best_metric ${bestFirst(direction)}, ${column}number`;
}
