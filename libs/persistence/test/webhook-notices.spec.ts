import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { WEBHOOK_EVENTS, type SweepEnd, type WebhookEvent } from '@tuneforge/contracts';
import { aParsedSweepSpec, endTrials, seedSweep, TestStores } from '@tuneforge/testing';
import { DEFAULT_PROJECT_ID, type Stores, type SweepEntity, type TrialRef } from '../src';

/** WebhookStore.recordNotices, as a top-up runs it: what it announces, to which webhooks, once. */
describe('webhook notices: the outbox rows a top-up writes', () => {
  let db: TestStores;
  let stores: Stores;

  before(async () => {
    db = await TestStores.open('webhook_notices');
    stores = db.stores;
  });
  after(() => db?.close());

  const subscribe = (events: readonly WebhookEvent[], sweepId: string | null = null, projectId = DEFAULT_PROJECT_ID) => {
    const id = randomUUID();
    return stores.webhooks.insert({ id, projectId, sweepId, urlShown: 'https://example.com/', urlSealed: 'v1.x', secretSealed: 'v1.y', events: [...events], format: 'json' });
  };
  /** A top-up's notices: in a transaction holding the sweep's row lock. */
  const notice = (sweep: SweepEntity, end?: SweepEnd) =>
    stores.transaction(async (tx) => {
      const locked = await tx.sweeps.lock(sweep.id);
      assert.ok(locked);
      const ids = await tx.webhooks.recordNotices({ id: sweep.id, projectId: locked.projectId, direction: locked.spec.objective.direction, plannedTrials: locked.plannedTrials }, end);
      return tx.manager.query(`SELECT webhook_id AS "webhookId", event, subject, trial_id AS "trialId", facts FROM webhook_notifications WHERE id = ANY($1) ORDER BY event, subject`, [ids]) as Promise<
        { webhookId: string; event: WebhookEvent; subject: string; trialId: string | null; facts: any }[]
      >;
    });
  const sweepWith = async (trials: number, direction: 'minimize' | 'maximize' = 'minimize') => {
    const spec = aParsedSweepSpec({ name: `notices-${direction}` });
    return seedSweep(stores, { spec: { ...spec, objective: { ...spec.objective, direction } }, trials });
  };
  const end = (trial: TrialRef, status: 'completed' | 'failed' | 'pruned', bestMetric: number | null = null) => endTrials(stores, [trial], { status, bestMetric });

  it('announces each failure and each new best once, to each webhook that subscribed, and marks them even when none did', async () => {
    const { sweep, trials } = await sweepWith(4);
    await end(trials[0], 'failed');
    await end(trials[1], 'completed', 0.5);
    assert.deepEqual(await notice(sweep), [], 'no webhook yet: nothing written');
    const all = await subscribe(WEBHOOK_EVENTS);
    await subscribe(['trial.failed'], sweep.id);
    assert.deepEqual(await notice(sweep), [], 'what happened before the webhooks was marked already');

    await end(trials[2], 'failed');
    await end(trials[3], 'pruned', 0.25);
    const rows = await notice(sweep);
    assert.deepEqual(
      rows.map((r) => [r.webhookId === all.id ? 'all' : 'failures', r.event, r.trialId]),
      [
        ['all', 'best.improved', trials[3].id],
        ['all', 'trial.failed', trials[2].id],
        ['failures', 'trial.failed', trials[2].id],
      ].sort((x, y) => `${x[1]}${x[0]}`.localeCompare(`${y[1]}${y[0]}`)),
    );
    const best = rows.find((r) => r.event === 'best.improved');
    assert.deepEqual([best?.facts.trial.value, best?.facts.previousBest, best?.facts.best.trialId, best?.facts.sweep.status], [0.25, 0.5, trials[3].id, 'running']);
    assert.deepEqual(await notice(sweep), [], 'a second top-up finds nothing new');

    await stores.sweeps.moveTo(sweep.id, 'completed');
    const ended = await notice(sweep, { status: 'completed', reason: null });
    assert.deepEqual(ended.map((r) => [r.event, r.subject]), [['sweep.completed', `${sweep.id}@${sweep.plannedTrials}`]]);
    assert.equal(ended[0].facts.sweep.status, 'completed');
    assert.deepEqual(await notice(sweep, { status: 'completed', reason: null }), [], 'the same completion again: one notification');
  });

  it("compares bests in the objective's direction, and hears nothing of another project's sweeps", async () => {
    const { sweep, trials } = await sweepWith(3, 'maximize');
    const elsewhere = await stores.accounts.createProject('notices-elsewhere');
    const other = await subscribe(['best.improved'], null, elsewhere.id);
    const hook = await subscribe(['best.improved']);
    // The project's other webhooks (the test above) hear it too; only this one is looked at.
    const heard = async () => {
      const rows = await notice(sweep);
      assert.ok(!rows.some((r) => r.webhookId === other.id), "another project's webhook hears nothing");
      return rows.filter((r) => r.webhookId === hook.id);
    };
    await end(trials[0], 'completed', 0.5);
    assert.deepEqual((await heard()).map((r) => [r.facts.trial.value, r.facts.previousBest]), [[0.5, null]]);
    await end(trials[1], 'completed', 0.4);
    assert.deepEqual(await heard(), [], 'lower is worse when maximizing');
    await end(trials[2], 'completed', 0.9);
    assert.deepEqual((await heard()).map((r) => [r.facts.trial.value, r.facts.previousBest]), [[0.9, 0.5]]);
  });
});
