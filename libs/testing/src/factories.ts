import { parseSweepSpec, searchDimensionsOf, trialConfigOf, type ParamValue, type SweepSpec, type SweepSpecInput, type SweepStatus } from '@tuneforge/contracts';
import type { Stores, SweepEntity, TrialRef } from '@tuneforge/persistence';
import { aSweepSpec } from './sweep-specs';

/** A valid spec as the API stores it (parsed, with its defaults and seed). */
export function aParsedSweepSpec(overrides: Partial<SweepSpecInput> = {}): SweepSpec {
  return parseSweepSpec(aSweepSpec(overrides));
}

/** The low end of every dimension: a valid assignment for any spec, the same every time. */
export function lowestAssignment(spec: SweepSpec): Record<string, ParamValue> {
  return Object.fromEntries(
    Object.entries(searchDimensionsOf(spec)).map(([key, dimension]) => [key, dimension.type === 'choice' ? dimension.values[0] : dimension.min] as const),
  );
}

export interface SeedSweep {
  spec?: SweepSpec;
  /** Trials to create, numbered from 0 (default: none). */
  trials?: number;
  /** A status to move the sweep to after its trials exist, through the store's lifecycle (e.g. `paused`). */
  status?: Exclude<SweepStatus, 'running'>;
}

/**
 * A sweep and its trials written through the stores, as the coordinator writes them (no raw SQL): the
 * sweep counts its trials, each trial has a resolved config and its own seed.
 */
export async function seedSweep(stores: Stores, { spec = aParsedSweepSpec(), trials = 0, status }: SeedSweep = {}): Promise<{ sweep: SweepEntity; trials: TrialRef[] }> {
  return stores.transaction(async (tx) => {
    const seed = spec.seed ?? 1;
    const sweep = await tx.sweeps.insert({ name: spec.name, spec, seed, plannedTrials: spec.budget.maxTrials, idempotencyKey: null });
    const config = trialConfigOf(spec, lowestAssignment(spec));
    const created = await tx.trials.insertMany(
      sweep.id,
      Array.from({ length: trials }, (_, number) => ({ number, seed: seed + number, config })),
    );
    await tx.sweeps.addCreated(sweep.id, trials);
    if (status) await tx.sweeps.moveTo(sweep.id, status);
    return { sweep: { ...sweep, trialsCreated: trials, status: status ?? 'running' }, trials: created };
  });
}
