import type { Assignment, Dimension, ParamValue, SearchSpace, SearchIssue } from './dimension';
import { SearchSpaceError } from './dimension';
import { roundFloat } from './random.sampler';
import type { Sampler } from './sampler';

/** Beyond this many points per dimension a grid is refused without being listed. */
const MAX_POINTS_PER_DIMENSION = 1_000_000;

/** The values a grid visits along one dimension, or an issue when it cannot be listed. */
export function gridValues(dimension: Dimension): readonly ParamValue[] | string {
  if (dimension.when) return 'grid search does not take conditional dimensions; use random or tpe';
  if (dimension.type === 'choice') return dimension.values;
  if (dimension.type === 'float' && dimension.step === undefined) {
    return 'grid search needs a step for a float dimension (or make it a choice)';
  }
  const step = dimension.step ?? 1;
  const count = Math.floor((dimension.max - dimension.min) / step + 1e-9) + 1;
  if (count > MAX_POINTS_PER_DIMENSION) return `has ${count} grid points; at most ${MAX_POINTS_PER_DIMENSION} are allowed per dimension`;
  return Array.from({ length: count }, (_, i) => (dimension.type === 'int' ? dimension.min + i * step : roundFloat(dimension.min + i * step)));
}

/** A grid over a space, addressable by point index so that trials can be created lazily. */
export class Grid {
  readonly size: number;
  private readonly axes: [string, readonly ParamValue[]][];

  constructor(space: SearchSpace, pathPrefix = 'searchSpace') {
    const issues: SearchIssue[] = [];
    this.axes = [];
    for (const [name, dimension] of Object.entries(space)) {
      const values = gridValues(dimension);
      if (typeof values === 'string') issues.push({ path: `${pathPrefix}.${name}`, message: values });
      else this.axes.push([name, values]);
    }
    if (issues.length > 0) throw new SearchSpaceError(issues);
    this.size = this.axes.reduce((size, [, values]) => size * values.length, 1);
  }

  /** Point `index` in row-major order: the last dimension varies fastest. */
  point(index: number): Assignment {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) throw new RangeError(`grid point ${index} is outside [0, ${this.size})`);
    const assignment: Assignment = {};
    let rest = index;
    for (let axis = this.axes.length - 1; axis >= 0; axis--) {
      const [name, values] = this.axes[axis];
      assignment[name] = values[rest % values.length];
      rest = Math.floor(rest / values.length);
    }
    return Object.fromEntries(this.axes.map(([name]) => [name, assignment[name]]));
  }
}

/** Grid search: trial n is grid point n, and the sweep is exactly the grid (refused when it outgrows budget.maxTrials). */
export class GridSampler implements Sampler {
  readonly historyWindow = null;
  readonly totalTrials: number;
  private readonly grid: Grid;

  constructor(space: SearchSpace, maxTrials: number) {
    this.grid = new Grid(space);
    if (this.grid.size > maxTrials) {
      throw new SearchSpaceError([
        {
          path: 'budget.maxTrials',
          message: `the grid has ${formatCount(this.grid.size)} points but budget.maxTrials is ${maxTrials}: raise maxTrials or shrink the grid`,
        },
      ]);
    }
    this.totalTrials = this.grid.size;
  }

  suggest(number: number): Assignment {
    return this.grid.point(number);
  }
}

function formatCount(count: number): string {
  return count >= 1e6 ? count.toExponential(2) : String(count);
}
