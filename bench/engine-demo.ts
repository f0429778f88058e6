// Wall time of the births demo sweep (examples/births-lstm.yaml: coordinator + two workers) on the tfjs path and on
// the native engine, one after the other on a fresh database each.
// Usage: npm run bench:engine-demo
import IORedis from 'ioredis';
import { dropDatabase, migrate } from '@tuneforge/persistence';
import { freePort } from '@tuneforge/testing';
import { demoSweep, type DemoSweepResult } from './demo-sweep.bench';

const SERVER_URL = process.env.BENCH_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DATABASE_URL = `${SERVER_URL}/tuneforge_bench_engine`;
const QUEUE_PREFIX = 'tf-bench-engine';

async function clearQueue(): Promise<void> {
  const redis = new IORedis(REDIS_URL);
  const keys = await redis.keys(`${QUEUE_PREFIX}:*`);
  for (let i = 0; i < keys.length; i += 1000) await redis.del(...keys.slice(i, i + 1000));
  redis.disconnect();
}

async function main(): Promise<void> {
  const results: [string, DemoSweepResult][] = [];
  for (const engine of ['tfjs', 'native']) {
    await dropDatabase(DATABASE_URL);
    await migrate(DATABASE_URL);
    await clearQueue();
    console.error(`[bench] demo sweep with TRAIN_ENGINE=${engine}`);
    results.push([engine, demoSweep({ DATABASE_URL, REDIS_URL, QUEUE_PREFIX, TRAIN_ENGINE: engine }, await freePort(), 'examples/births-lstm.yaml')]);
  }
  await clearQueue();
  await dropDatabase(DATABASE_URL);
  console.log('| TRAIN_ENGINE | wall time, s | trials | best val_mae | seasonal naive val_mae |\n|---|---|---|---|---|');
  for (const [engine, r] of results) {
    const trials = Object.entries(r.trials).filter(([status, n]) => n > 0 && status !== 'total').map(([status, n]) => `${n} ${status}`).join(', ');
    console.log(`| ${engine} | ${r.seconds.toFixed(1)} | ${trials} | ${r.bestValMae.toFixed(1)} | ${r.seasonalNaiveValMae.toFixed(1)} |`);
  }
  const [tfjs, native] = results.map(([, r]) => r.seconds);
  console.log(`\nnative engine: ${(tfjs / native).toFixed(2)}x faster on the whole sweep`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
