import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Stores } from '@tuneforge/persistence';
import { endAdvisoryLockSessions, trialsOfSweep, waitFor } from '@tuneforge/testing';
import { Leadership } from '../src/leadership/leadership.service';
import { SweepScheduler } from '../src/sweeps/sweep-scheduler.service';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

/**
 * Two coordinators on one database and queue: one leads and runs the periodic reconcile pass, the other's
 * passes only try to take the lead; when the leader goes, the other's next pass takes over.
 */
describe(Leadership.name, () => {
  let leader: TestCoordinator;
  let follower: TestCoordinator;
  let leaderClosed = false;

  const health = async (coordinator: TestCoordinator) => (await apiClient(coordinator.baseUrl).get('/api/v1/health')).body;
  const passOf = (coordinator: TestCoordinator) => coordinator.app.get(SweepScheduler).reconcile();

  before(async () => {
    leader = await startTestCoordinator('leadership');
    await waitFor('the first coordinator leads', async () => (await health(leader)).leader === true);
    follower = await startTestCoordinator('leadership_follower', { queuePrefix: leader.config.queuePrefix }, undefined, leader.database);
  });
  after(async () => {
    // The leader's own close would empty the queue both share: only its app closes, the follower's close cleans up.
    if (!leaderClosed) await leader?.app.close();
    await leader?.queue.close();
    await follower?.close({ keepDatabase: false });
  });

  it('lets one coordinator lead; /health on each says which', async () => {
    await passOf(follower);
    assert.deepEqual([(await health(leader)).leader, (await health(follower)).leader], [true, false]);
  });

  it("moves the lead when the leader's lock session is lost: the other's next pass leads, and the old leader's follows", async () => {
    const loseLockSession = async () => assert.equal(await endAdvisoryLockSessions(follower.app.get(Stores)), 1, 'one session held the lock');
    await loseLockSession();
    await passOf(follower);
    await passOf(leader);
    assert.deepEqual([(await health(leader)).leader, (await health(follower)).leader], [false, true]);
    await loseLockSession();
    await passOf(leader);
    await passOf(follower);
    assert.deepEqual([(await health(leader)).leader, (await health(follower)).leader], [true, false], 'and back');
  });

  it("runs the reconcile pass only on the leader; when the leader stops, the follower's next pass takes over", async () => {
    const sweep = await leader.client.createSweep({ body: aSweepSpec({ name: 'led', model: 'simulated', budget: { maxTrials: 2, maxConcurrent: 2, maxEpochsPerTrial: 2 } }) });
    const [lost] = await trialsOfSweep(follower.app.get(Stores), sweep.id);
    const loseJob = async () => {
      assert.equal(await follower.queue.remove(lost.id), 1, 'the job was waiting');
    };

    await loseJob();
    await passOf(follower);
    assert.equal(await follower.queue.getJobState(lost.id), 'unknown', "the follower's pass repaired nothing");
    await passOf(leader);
    assert.equal(await follower.queue.getJobState(lost.id), 'waiting', "the leader's pass gave the trial a new job");

    await loseJob();
    await leader.app.close();
    leaderClosed = true;
    await passOf(follower);
    assert.equal((await health(follower)).leader, true, 'the follower took the lead at its next pass');
    assert.equal(await follower.queue.getJobState(lost.id), 'waiting', 'and ran the pass: the trial has a job again');
  });
});
