import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Queue, Worker, type Job } from 'bullmq';
import IORedis from 'ioredis';
import { TRIALS_QUEUE } from '@tuneforge/contracts';
import { TEST_REDIS_URL } from '../../../apps/coordinator/test/support/test-coordinator';
import { find, renderOverlay } from './support/render';

// KEDA's redis scaler reads list lengths (LLEN): the lists the ScaledObject names must be where
// BullMQ, at the version installed, keeps the trial queue's waiting and active jobs.
describe("the ScaledObject's Redis lists are BullMQ's waiting and active jobs", () => {
  const prefix = `tf-test-keda-${randomBytes(4).toString('hex')}`;
  const redis = new IORedis(TEST_REDIS_URL);
  const connection = { url: TEST_REDIS_URL };
  let queue: Queue;
  let worker: Worker | undefined;

  before(() => {
    queue = new Queue(TRIALS_QUEUE, { connection, prefix });
  });
  after(async () => {
    await worker?.close(true);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('counts queued jobs in the waiting list and a job being trained in the active list', async () => {
    const scaled = find(renderOverlay('prod'), 'ScaledObject', 'tuneforge-worker');
    // The manifests use QUEUE_PREFIX=tuneforge; this test's queue has a prefix of its own.
    const listOf = (name: string) => (scaled.spec.triggers.find((t: any) => t.name === name).metadata.listName as string).replace(/^tuneforge:/, `${prefix}:`);
    const waiting = listOf('waiting');
    const active = listOf('active');

    await queue.addBulk([1, 2, 3].map((n) => ({ name: 'train-trial', data: { n }, opts: { jobId: `job-${n}` } })));
    assert.equal(await redis.llen(waiting), 3);
    assert.equal(await redis.llen(active), 0);

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const started = new Promise<Job>((resolve) => {
      worker = new Worker(TRIALS_QUEUE, async (job) => {
        resolve(job);
        await held;
      }, { connection: { ...connection, maxRetriesPerRequest: null }, prefix, concurrency: 1 });
    });
    await started;
    assert.equal(await redis.llen(active), 1);
    assert.equal(await redis.llen(waiting), 2);
    release();
  });
});
