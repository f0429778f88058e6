import type { Assignment, SearchSpace } from './dimension';
import { SearchSpaceError } from './dimension';
import { Grid } from './grid';
import { sampleRandom } from './random.sampler';
import { deriveTrialSeed } from './seeds';
import { suggestTpe, TPE_DEFAULTS, type Observation, type TpeOptions } from './tpe.sampler';
import type { Direction } from './early-stopping';

export type SearchAlgorithm = 'grid' | 'random' | 'tpe';

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

  /** Whether trial n depends on earlier results (TPE), not only on n. */
  readonly needsHistory: boolean;

  constructor(
    algorithm: SearchAlgorithm,
    private readonly space: SearchSpace,
    private readonly sweepSeed: number,
    maxTrials: number,
    private readonly tpe: TpeOptions = TPE_DEFAULTS,
  ) {
    this.needsHistory = algorithm === 'tpe';
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

  /** Trial `number` given the results so far and the trials still running (used by TPE; others ignore them). */
  suggest(number: number, observations: readonly Observation[], pending: readonly Assignment[], direction: Direction): PlannedTrial {
    if (!this.needsHistory) return this.trial(number);
    if (number >= this.totalTrials) throw new RangeError(`trial ${number} is past the sweep's ${this.totalTrials} trials`);
    const seed = deriveTrialSeed(this.sweepSeed, number);
    return { number, seed, assignment: suggestTpe(this.space, observations, pending, direction, seed, this.tpe) };
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
