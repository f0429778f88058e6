import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { isActive, type Assignment, type Dimension, type ParamValue, type SearchSpace } from './dimension';
import type { Sampler } from './sampler';

type Rng = ReturnType<typeof xoroshiro128plus>;

/** Draws one value per active dimension, in the space's key order (parents first), from a generator seeded with `seed`. */
export function sampleRandom(space: SearchSpace, seed: number): Assignment {
  const rng = xoroshiro128plus(seed);
  const assignment: Assignment = {};
  for (const [name, dimension] of Object.entries(space)) {
    if (isActive(dimension, assignment)) assignment[name] = sampleDimension(dimension, rng);
  }
  return assignment;
}

/** Random search: trial n is drawn from its own seed alone, so trials can be created in any order. */
export class RandomSampler implements Sampler {
  readonly historyWindow = null;

  constructor(
    private readonly space: SearchSpace,
    readonly totalTrials: number,
  ) {}

  suggest(_number: number, seed: number): Assignment {
    return sampleRandom(this.space, seed);
  }
}

function sampleDimension(dimension: Dimension, rng: Rng): ParamValue {
  switch (dimension.type) {
    case 'choice':
      return dimension.values[uniformInt(rng, 0, dimension.values.length - 1)];
    case 'int': {
      if (dimension.log) {
        // Uniform in log space over [min, max + 1), floored: each integer gets the mass of its log-width.
        const value = Math.floor(Math.exp(logUniform(rng, dimension.min, dimension.max + 1)));
        return Math.min(dimension.max, Math.max(dimension.min, value));
      }
      const step = dimension.step ?? 1;
      return dimension.min + step * uniformInt(rng, 0, Math.floor((dimension.max - dimension.min) / step));
    }
    case 'float': {
      if (dimension.log) return Math.min(dimension.max, Math.exp(logUniform(rng, dimension.min, dimension.max)));
      if (dimension.step !== undefined) {
        const steps = Math.floor((dimension.max - dimension.min) / dimension.step + 1e-9);
        return roundFloat(dimension.min + dimension.step * uniformInt(rng, 0, steps));
      }
      return dimension.min + (dimension.max - dimension.min) * uniformFloat64(rng);
    }
  }
}

function logUniform(rng: Rng, min: number, max: number): number {
  const low = Math.log(min);
  return low + (Math.log(max) - low) * uniformFloat64(rng);
}

/** Removes binary noise from `min + k * step` (0.30000000000000004 -> 0.3). */
export function roundFloat(value: number): number {
  return Number(value.toPrecision(12));
}
