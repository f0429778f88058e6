import type { SweepDto } from '@tuneforge/contracts';
import { adminFetch, AppProcess, createTestDatabase, startCoordinatorProcess, waitFor } from '@tuneforge/testing';

/**
 * A coordinator and `workers` worker processes on a database of their own, up before `run` starts (as a
 * service is), stopped and dropped after it.
 */
export async function withBenchStack<T>(label: string, workers: number, run: (api: string) => Promise<T>): Promise<T> {
  const database = await createTestDatabase(`tf_bench_${label}`);
  const env = { DATABASE_URL: database.url, REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', QUEUE_PREFIX: `tf-bench-${label}-${process.pid}`, DISPATCH_INTERVAL_MS: '2000', LOG_LEVEL: 'warn' };
  const { process: coordinator, api } = await startCoordinatorProcess(env);
  const processes = Array.from({ length: workers }, (_, i) => new AppProcess('apps/worker/src/main.ts', { ...env, WORKER_ID: `${label}-worker-${i + 1}` }));
  try {
    await waitFor('the workers are live', async () => ((await (await adminFetch(`${api}/workers`)).json()) as { items: unknown[] }).items.length === workers);
    return await run(api);
  } finally {
    await Promise.all(processes.map((w) => w.stop('SIGTERM')));
    await coordinator.stop('SIGTERM');
    await database.drop();
  }
}

/**
 * Posts a sweep (YAML) and waits until it has completed. The connection kept alive since the last request may
 * have been closed by the server meanwhile (EPIPE): the Idempotency-Key makes the one retry safe.
 */
export async function runSweep(api: string, yaml: string, key: string): Promise<{ sweep: SweepDto; started: number }> {
  const started = Date.now();
  const post = () => adminFetch(`${api}/sweeps`, { method: 'POST', headers: { 'content-type': 'application/yaml', 'idempotency-key': key }, body: yaml });
  const response = await post().catch(post);
  if (response.status !== 201) throw new Error(`POST /sweeps: ${response.status} ${await response.text()}`);
  const { id } = (await response.json()) as SweepDto;
  const sweep = await waitFor(
    `sweep ${key} ends`,
    async () => {
      const s = (await (await adminFetch(`${api}/sweeps/${id}`)).json()) as SweepDto;
      return s.status === 'completed' || s.status === 'failed' ? s : undefined;
    },
    30 * 60_000,
  );
  if (sweep.status !== 'completed') throw new Error(`sweep ${key} ${sweep.status}: ${sweep.statusReason ?? ''}`);
  return { sweep, started };
}
