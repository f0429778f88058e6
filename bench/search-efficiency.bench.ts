import { Client } from 'pg';
import type { SweepDto } from '@tuneforge/contracts';
import { adminFetch, AppProcess, startCoordinatorProcess, waitFor } from '@tuneforge/testing';

export interface SearchRun {
  label: string;
  seed: number;
  best: number;
  /** The best val_mae within the first `budget` epochs: the fewest any method of the seed trained. */
  bestInBudget: number;
  budget: number;
  trials: number;
  epochs: number;
  /** Epochs trained (in the order they finished) until a val_mae within 5% of the best any method found with this seed; null if never. */
  epochsToWithin5: number | null;
}

const BASE = {
  dataset: { source: 'builtin', name: 'us-births-1969-1988', window: 14, horizon: 1, validationSplit: 0.2 },
  model: 'lstm',
  objective: { metric: 'val_mae', direction: 'minimize' },
  searchSpace: {
    hiddenUnits: { type: 'int', min: 8, max: 48, log: true },
    layers: { type: 'choice', values: [1, 2] },
    dropout: { type: 'float', min: 0, max: 0.3 },
    learningRate: { type: 'float', min: 0.001, max: 0.05, log: true },
    batchSize: { type: 'choice', values: [64, 128, 256] },
  },
};

/**
 * Random, TPE and TPE + ASHA on the births dataset with real training, each through the real stack
 * (coordinator and two workers), once per seed (the methods share a seed's random start-up trials):
 * best val_mae, epochs consumed, and epochs until within 5% of the best value any run found.
 */
export async function searchEfficiency(env: Record<string, string>, progress: (m: string) => void, trials = 30, epochs = 8, seeds = [1, 2, 3]): Promise<SearchRun[]> {
  const { process: coordinator, api } = await startCoordinatorProcess({ ...env, DISPATCH_INTERVAL_MS: '1000' });
  const workers = [0, 1].map((i) => new AppProcess('apps/worker/src/main.ts', { ...env, WORKER_ID: `search-bench-${i}` }));
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  try {
    const variants = [
      { label: 'random', algorithm: { type: 'random' }, earlyStopping: { type: 'none' }, maxTrials: trials },
      { label: 'TPE', algorithm: { type: 'tpe', startupTrials: 6 }, earlyStopping: { type: 'none' }, maxTrials: trials },
      // ASHA stops most trials early, so the same epoch budget buys about twice the trials.
      { label: 'TPE + ASHA', algorithm: { type: 'tpe', startupTrials: 6 }, earlyStopping: { type: 'asha', minEpochs: 2, reductionFactor: 2 }, maxTrials: trials * 2 },
    ];
    const raw: { label: string; seed: number; sweepId: string }[] = [];
    for (const seed of seeds) {
      for (const v of variants) {
        progress(`search efficiency: ${v.label}, seed ${seed}`);
        const spec = { ...BASE, name: `bench-${v.label}-${seed}`, seed, algorithm: v.algorithm, earlyStopping: v.earlyStopping, budget: { maxTrials: v.maxTrials, maxConcurrent: 2, maxEpochsPerTrial: epochs } };
        const response = await adminFetch(`${api}/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
        const { id } = (await response.json()) as { id: string };
        await waitFor(`${v.label} ends`, async () => ((await (await adminFetch(`${api}/sweeps/${id}`)).json()) as SweepDto).status === 'completed', 30 * 60_000);
        raw.push({ label: v.label, seed, sweepId: id });
      }
    }
    const histories = await Promise.all(
      raw.map(async ({ label, seed, sweepId }) => {
        const { rows } = await db.query(
          `SELECT mp.value FROM metric_points mp JOIN trials t ON t.id = mp.trial_id
           WHERE t.sweep_id = $1 AND mp.name = 'val_mae' ORDER BY mp.recorded_at, mp.id`,
          [sweepId],
        );
        const trialCount = (await db.query(`SELECT count(*)::int AS n FROM trials WHERE sweep_id = $1`, [sweepId])).rows[0].n as number;
        return { label, seed, values: rows.map((r) => r.value as number), trialCount };
      }),
    );
    // Each seed's methods are compared with each other: the best value any of them found, and the epochs all of them trained.
    return histories.map((h) => {
      const sameSeed = histories.filter((o) => o.seed === h.seed);
      const bestOfSeed = Math.min(...sameSeed.flatMap((o) => o.values));
      const budget = Math.min(...sameSeed.map((o) => o.values.length));
      const reach = h.values.findIndex((v) => v <= bestOfSeed * 1.05);
      return {
        label: h.label,
        seed: h.seed,
        best: Math.min(...h.values),
        bestInBudget: Math.min(...h.values.slice(0, budget)),
        budget,
        trials: h.trialCount,
        epochs: h.values.length,
        epochsToWithin5: reach < 0 ? null : reach + 1,
      };
    });
  } finally {
    await db.end();
    await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    await coordinator.stop('SIGTERM');
  }
}
