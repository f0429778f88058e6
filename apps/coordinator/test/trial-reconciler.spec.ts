import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { TRIAL_MAX_ATTEMPTS, type SweepDto, type TrialEvent } from '@tuneforge/contracts';
import { TrialReconciler } from '../src/queue/trial-reconciler.service';
import { SweepScheduler } from '../src/sweeps/sweep-scheduler.service';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

/**
 * The queue loses what PostgreSQL knows (Redis restarted without persistence, FLUSHALL, a job failed
 * for good while PostgreSQL was down): the reconcile pass puts each active trial back on the queue,
 * or ends it after TRIAL_MAX_ATTEMPTS claims, and leaves alone what a live worker or a live job holds.
 */
describe(TrialReconciler.name, () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let db: DataSource;
  let scheduler: SweepScheduler;
  let sweep: SweepDto;
  let trialIds: string[];

  const trial = async (id: string) =>
    (await db.query(`SELECT status, attempts, enqueued_at AS "enqueuedAt", status_reason AS reason, events FROM trials WHERE id = $1`, [id]))[0] as {
      status: string;
      attempts: number;
      enqueuedAt: Date | null;
      reason: string | null;
      events: TrialEvent[];
    };
  /** What a worker's claim leaves behind, a minute ago: the trial running under `attempts`. */
  const runningSinceAMinute = (id: string, attempts = 1) =>
    db.query(`UPDATE trials SET status = 'running', attempts = $2, worker_id = 'gone', updated_at = now() - interval '1 minute' WHERE id = $1`, [id, attempts]);
  const jobState = (id: string) => coordinator.queue.getJobState(id);

  before(async () => {
    coordinator = await startTestCoordinator('reconciler', { strandedAfterMs: 1_000 });
    api = apiClient(coordinator.baseUrl);
    db = coordinator.app.get(DataSource);
    scheduler = coordinator.app.get(SweepScheduler);
  });
  after(() => coordinator.close());

  beforeEach(async () => {
    const spec = aSweepSpec({ name: 'reconcile', model: 'simulated', budget: { maxTrials: 3, maxConcurrent: 3, maxEpochsPerTrial: 2 } });
    sweep = (await api.post<SweepDto>('/api/v1/sweeps', spec)).body;
    trialIds = (await db.query(`SELECT id FROM trials WHERE sweep_id = $1 ORDER BY number`, [sweep.id])).map((r: { id: string }) => r.id);
    assert.equal(trialIds.length, 3);
    for (const id of trialIds) assert.equal(await jobState(id), 'waiting');
  });

  it('gives a queued trial whose job vanished from Redis a new job, and says so in its events', async () => {
    await coordinator.queue.remove(trialIds[0]);
    assert.equal(await jobState(trialIds[0]), 'unknown');
    await scheduler.reconcile();
    assert.equal(await jobState(trialIds[0]), 'waiting');
    const repaired = await trial(trialIds[0]);
    assert.equal(repaired.status, 'queued');
    assert.ok(repaired.enqueuedAt, 'stamped enqueued again');
    assert.match(repaired.events.at(-1)?.message ?? '', /job was lost from the queue/);
    assert.equal(repaired.events.at(-1)?.type, 'requeued');
  });

  it('replaces a finished job of a queued trial (the same job id would swallow a new one)', async () => {
    // What BullMQ leaves of a job that failed for good (failing one for real needs a worker holding its lock).
    const redis = await coordinator.queue.getBackend().client;
    await redis.hset(coordinator.queue.toKey(trialIds[1]), { finishedOn: Date.now(), failedReason: 'lost while PostgreSQL was down' });
    await scheduler.reconcile();
    const fresh = await coordinator.queue.getJob(trialIds[1]);
    assert.ok(fresh);
    assert.equal(fresh.finishedOn, undefined, 'a new job, not the finished one');
    assert.equal(await jobState(trialIds[1]), 'waiting');
  });

  it('sends a running trial with no live worker and no job back to the queue, keeping its attempts', async () => {
    await runningSinceAMinute(trialIds[0]);
    await coordinator.queue.remove(trialIds[0]);
    await scheduler.reconcile();
    const repaired = await trial(trialIds[0]);
    assert.equal(repaired.status, 'queued');
    assert.equal(repaired.attempts, 1, 'the next claim counts the next attempt');
    assert.match(repaired.events.at(-1)?.message ?? '', /no live worker runs it; back to the queue/);
    assert.equal(await jobState(trialIds[0]), 'waiting');
  });

  it(`ends a lost running trial failed after ${TRIAL_MAX_ATTEMPTS} attempts, and creates no trial past the budget`, async () => {
    await runningSinceAMinute(trialIds[0], TRIAL_MAX_ATTEMPTS);
    await coordinator.queue.remove(trialIds[0]);
    await scheduler.reconcile();
    const ended = await trial(trialIds[0]);
    assert.equal(ended.status, 'failed');
    assert.match(ended.reason ?? '', new RegExp(`after ${TRIAL_MAX_ATTEMPTS} attempts`));
    const [{ created }] = await db.query(`SELECT trials_created AS created FROM sweeps WHERE id = $1`, [sweep.id]);
    assert.equal(created, 3, 'the budget (3 trials) was already created; nothing more');
  });

  it('leaves alone a running trial that a live worker heartbeats, and one whose job is still there', async () => {
    await runningSinceAMinute(trialIds[0]);
    await coordinator.queue.remove(trialIds[0]);
    await db.query(
      `INSERT INTO workers (id, host, pid, backend, concurrency, running_trial_ids, started_at, last_heartbeat_at) VALUES ($1, 'h', 1, 'simulated', 1, $2::jsonb, now(), now())`,
      [`live-${sweep.id}`, JSON.stringify([trialIds[0]])],
    );
    await runningSinceAMinute(trialIds[1]); // its job is still waiting: BullMQ's stalled check owns that case
    await scheduler.reconcile();
    assert.equal((await trial(trialIds[0])).status, 'running');
    assert.equal((await trial(trialIds[1])).status, 'running');
    assert.equal(await jobState(trialIds[0]), 'unknown', 'no second job for a trial a worker runs');
  });

  it('reports stranded trials on /health (degraded, still 200) until they are repaired', async () => {
    // Stranded the way a long Redis outage leaves trials: queued with no job, and running with no worker.
    await db.query(`UPDATE trials SET enqueued_at = NULL, updated_at = now() - interval '1 minute' WHERE id = $1`, [trialIds[0]]);
    await runningSinceAMinute(trialIds[1]);
    await coordinator.queue.remove(trialIds[1]);
    const before = await api.get('/api/v1/health');
    assert.equal(before.status, 200);
    assert.equal(before.body.status, 'degraded');
    assert.ok(before.body.checks.trials.stranded >= 2, JSON.stringify(before.body.checks.trials));
    assert.equal(before.body.checks.trials.strandedAfterMs, 1_000);

    await scheduler.reconcile();
    await db.query(`UPDATE trials SET status = 'cancelled' WHERE status IN ('queued', 'running')`); // end every sweep's trials: nothing left to strand
    const afterRepair = await api.get('/api/v1/health');
    assert.deepEqual([afterRepair.status, afterRepair.body.status, afterRepair.body.checks.trials.status, afterRepair.body.checks.trials.stranded], [200, 'ok', 'up', 0]);
  });
});
