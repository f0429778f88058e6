import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { isActiveSweep, TRIAL_MAX_ATTEMPTS, type SweepDto } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { ageTrials, cancelSweep, claimTrials, seedWorker, trialsOfSweep } from '@tuneforge/testing';
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
  let stores: Stores;
  let scheduler: SweepScheduler;
  let sweep: SweepDto;
  let trialIds: string[];

  const trial = async (id: string) => {
    const row = await stores.trialReads.find(id);
    assert.ok(row, `trial ${id} exists`);
    return { status: row.status, attempts: row.attempts, enqueuedAt: row.enqueuedAt, reason: row.statusReason, events: row.events };
  };
  /**
   * Ages the trial's last write by a minute, past the reconciler's 15 s RUNNING_GRACE_MS (a constant) and
   * STRANDED_AFTER_MS (every store write stamps updated_at with now(), by design, so a test-only factory does it).
   */
  const lastWrittenAMinuteAgo = (id: string) => ageTrials(stores, [id], 60_000);
  /** What a dead worker's claims leave behind, a minute ago: the trial running under `attempts`. */
  const runningSinceAMinute = async (id: string, attempts = 1) => {
    for (let claim = 0; claim < attempts; claim++) await claimTrials(stores, [{ id, sweepId: sweep.id }], 'gone');
    await lastWrittenAMinuteAgo(id);
  };
  const jobState = (id: string) => coordinator.queue.getJobState(id);

  before(async () => {
    coordinator = await startTestCoordinator('reconciler', { strandedAfterMs: 1_000 });
    api = apiClient(coordinator.baseUrl);
    stores = coordinator.app.get(Stores);
    scheduler = coordinator.app.get(SweepScheduler);
  });
  after(() => coordinator.close());

  beforeEach(async () => {
    const spec = aSweepSpec({ name: 'reconcile', model: 'simulated', budget: { maxTrials: 3, maxConcurrent: 3, maxEpochsPerTrial: 2 } });
    sweep = (await api.post<SweepDto>('/api/v1/sweeps', spec)).body;
    trialIds = (await trialsOfSweep(stores, sweep.id)).map((t) => t.id);
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
    assert.equal(ended.reason, `the worker died ${TRIAL_MAX_ATTEMPTS} times running this trial (the last time, its job was lost from the queue and no live worker ran it)`);
    assert.equal((await stores.sweeps.find(sweep.id, ['trialsCreated']))?.trialsCreated, 3, 'the budget (3 trials) was already created; nothing more');
  });

  it('leaves alone a running trial that a live worker heartbeats, and one whose job is still there', async () => {
    await runningSinceAMinute(trialIds[0]);
    await coordinator.queue.remove(trialIds[0]);
    await seedWorker(stores, { id: `live-${sweep.id}`, runningTrialIds: [trialIds[0]] });
    await runningSinceAMinute(trialIds[1]); // its job is still waiting: BullMQ's stalled check owns that case
    await scheduler.reconcile();
    assert.equal((await trial(trialIds[0])).status, 'running');
    assert.equal((await trial(trialIds[1])).status, 'running');
    assert.equal(await jobState(trialIds[0]), 'unknown', 'no second job for a trial a worker runs');
  });

  it('reports stranded trials on /health (degraded, still 200) until they are repaired', async () => {
    // Stranded the way a long Redis outage leaves trials: queued with no job, and running with no worker.
    await stores.trials.markNotEnqueued(trialIds[0]);
    await lastWrittenAMinuteAgo(trialIds[0]);
    await runningSinceAMinute(trialIds[1]);
    await coordinator.queue.remove(trialIds[1]);
    const before = await api.get('/api/v1/health');
    assert.equal(before.status, 200);
    assert.equal(before.body.status, 'degraded');
    assert.ok(before.body.checks.trials.stranded >= 2, JSON.stringify(before.body.checks.trials));
    assert.equal(before.body.checks.trials.strandedAfterMs, 1_000);

    await scheduler.reconcile();
    // Cancel every sweep, and so its trials: nothing left to strand.
    const [sweeps] = await stores.sweepReads.page({ limit: 1_000, offset: 0 }, 'all');
    for (const { id } of sweeps.filter((s) => isActiveSweep(s.status))) await cancelSweep(stores, id);
    const afterRepair = await api.get('/api/v1/health');
    assert.deepEqual([afterRepair.status, afterRepair.body.status, afterRepair.body.checks.trials.status, afterRepair.body.checks.trials.stranded], [200, 'ok', 'up', 0]);
  });
});
