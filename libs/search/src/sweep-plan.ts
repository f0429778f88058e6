import type { Assignment, SearchSpace } from './dimension';
import { SearchSpaceError } from './dimension';
import { Grid } from './grid';
import { sampleRandom } from './random.sampler';
import { deriveTrialSeed } from './seeds';

export type SearchAlgorithm = 'grid' | 'random';

export interface PlannedTrial {
  number: number;
  seed: number;
  assignment: Assignment;
}

/**
 * How a sweep's trials are chosen. Trial n depends only on (space, algorithm, sweep seed, n), so
 * trials can be created a few at a time and the same spec and seed always give the same configs.
 */
export class SweepPlan {
  /** How many trials the sweep runs in all. */
  readonly totalTrials: number;
  private readonly grid?: Grid;

  constructor(
    algorithm: SearchAlgorithm,
    private readonly space: SearchSpace,
    private readonly sweepSeed: number,
    maxTrials: number,
  ) {
    if (algorithm === 'grid') {
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
    } else {
      this.totalTrials = maxTrials;
    }
  }

  trial(number: number): PlannedTrial {
    if (number >= this.totalTrials) throw new RangeError(`trial ${number} is past the sweep's ${this.totalTrials} trials`);
    const seed = deriveTrialSeed(this.sweepSeed, number);
    const assignment = this.grid ? this.grid.point(number) : sampleRandom(this.space, seed);
    return { number, seed, assignment };
  }
}

function formatCount(count: number): string {
  return count >= 1e6 ? count.toExponential(2) : String(count);
}
