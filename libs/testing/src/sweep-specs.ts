import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SweepSpecInput } from '@tuneforge/contracts';

/** The README's example sweep, as YAML text. */
export const BIRTHS_SWEEP_YAML = readFileSync(join(__dirname, '../../../examples/births-lstm.yaml'), 'utf8');

/** A valid random-search sweep spec; pass overrides for what a test is about. */
export function aSweepSpec(overrides: Partial<SweepSpecInput> = {}): SweepSpecInput {
  return {
    name: 'births-test',
    dataset: { source: 'builtin', name: 'us-births-1969-1988', window: 28, horizon: 1, validationSplit: 0.2 },
    model: 'lstm',
    objective: { metric: 'val_loss', direction: 'minimize' },
    searchSpace: {
      hiddenUnits: { type: 'int', min: 16, max: 128, log: true },
      layers: { type: 'choice', values: [1, 2] },
      dropout: { type: 'float', min: 0, max: 0.5 },
      learningRate: { type: 'float', min: 0.0001, max: 0.01, log: true },
      batchSize: { type: 'choice', values: [32, 64, 128] },
    },
    algorithm: { type: 'random' },
    earlyStopping: { type: 'none' },
    budget: { maxTrials: 20, maxConcurrent: 4, maxEpochsPerTrial: 20 },
    seed: 42,
    ...overrides,
  };
}
