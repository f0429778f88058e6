import { Client } from 'pg';
import type { SweepDto } from '@tuneforge/contracts';
import { AppProcess, startCoordinatorProcess, waitFor } from '@tuneforge/testing';

export interface SearchRun {
  label: string;
  best: number;
  trials: number;
  epochs: number;
  /** Epochs trained (in the order they finished) until a val_mae within 5% of the best of all runs; null if never. */
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
  seed: 3,
};

/**
 * Random, TPE and TPE + ASHA on the births dataset with real training, each through the real stack
 * (coordinator and two workers): best val_mae, epochs consumed, and epochs until within 5% of the best
 * value any of them found.
 */
export async function searchEfficiency(env: Record<string, string>, progress: (m: string) => void, trials = 12, epochs = 8): Promise<SearchRun[]> {
  const { process: coordinator, api } = await startCoordinatorProcess({ ...env, DISPATCH_INTERVAL_MS: '1000' });
  const workers = [0, 1].map((i) => new AppProcess('apps/worker/src/main.ts', { ...env, WORKER_ID: `search-bench-${i}` }));
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  try {
    const variants = [
      { label: 'random', algorithm: { type: 'random' }, earlyStopping: { type: 'none' }, maxTrials: trials },
      { label: 'TPE', algorithm: { type: 'tpe', startupTrials: 4 }, earlyStopping: { type: 'none' }, maxTrials: trials },
      // ASHA stops most trials early, so the same epoch budget buys about twice the trials.
      { label: 'TPE + ASHA', algorithm: { type: 'tpe', startupTrials: 4 }, earlyStopping: { type: 'asha', minEpochs: 2, reductionFactor: 2 }, maxTrials: trials * 2 },
    ];
    const raw: { label: string; sweepId: string }[] = [];
    for (const v of variants) {
      progress(`search efficiency: ${v.label}`);
      const spec = { ...BASE, name: `bench-${v.label}`, algorithm: v.algorithm, earlyStopping: v.earlyStopping, budget: { maxTrials: v.maxTrials, maxConcurrent: 2, maxEpochsPerTrial: epochs } };
      const response = await fetch(`${api}/sweeps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
      const { id } = (await response.json()) as { id: string };
      await waitFor(`${v.label} ends`, async () => ((await (await fetch(`${api}/sweeps/${id}`)).json()) as SweepDto).status === 'completed', 30 * 60_000);
      raw.push({ label: v.label, sweepId: id });
    }
    const histories = await Promise.all(
      raw.map(async ({ label, sweepId }) => {
        const { rows } = await db.query(
          `SELECT mp.value FROM metric_points mp JOIN trials t ON t.id = mp.trial_id
           WHERE t.sweep_id = $1 AND mp.name = 'val_mae' ORDER BY mp.recorded_at, mp.id`,
          [sweepId],
        );
        const trialCount = (await db.query(`SELECT count(*)::int AS n FROM trials WHERE sweep_id = $1`, [sweepId])).rows[0].n as number;
        return { label, values: rows.map((r) => r.value as number), trialCount };
      }),
    );
    const bestOfAll = Math.min(...histories.flatMap((h) => h.values));
    return histories.map((h) => {
      const reach = h.values.findIndex((v) => v <= bestOfAll * 1.05);
      return { label: h.label, best: Math.min(...h.values), trials: h.trialCount, epochs: h.values.length, epochsToWithin5: reach < 0 ? null : reach + 1 };
    });
  } finally {
    await db.end();
    await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    await coordinator.stop('SIGTERM');
  }
}
