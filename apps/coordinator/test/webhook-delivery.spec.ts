import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  WebhookPayloadSchema,
  type CreatedWebhookDto,
  type SweepDto,
  type WebhookEvent,
  type WebhookPayload,
} from '@tuneforge/contracts';
import { DEFAULT_PROJECT_ID, Stores, type TrialEntity } from '@tuneforge/persistence';
import { endTrials, TEST_WEBHOOK_SECRETS_KEY, trialsOfSweep, waitFor } from '@tuneforge/testing';
import { loadCoordinatorConfig } from '../src/config/coordinator.config';
import { SweepScheduler } from '../src/sweeps/sweep-scheduler.service';
import { NotificationDispatcher } from '../src/webhooks/notification-dispatcher.service';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';
import { WebhookReceiver, type ReceivedPost } from './support/webhook-receiver';

const PUBLIC_URL = 'https://tuneforge.test';

/** What a receiver does with a post: checks its signature over the raw body and its timestamp, then reads it. */
function verified(post: ReceivedPost, secret: string): WebhookPayload {
  const timestamp = Number(post.headers[WEBHOOK_TIMESTAMP_HEADER]);
  assert.ok(Math.abs(Date.now() / 1000 - timestamp) < 300, 'a recent timestamp');
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(`${timestamp}.${post.body}`).digest('hex')}`);
  const signature = Buffer.from(String(post.headers[WEBHOOK_SIGNATURE_HEADER]));
  assert.ok(signature.length === expected.length && timingSafeEqual(signature, expected), 'a valid signature');
  return WebhookPayloadSchema.parse(JSON.parse(post.body));
}

/**
 * Webhooks delivered to a receiver on 127.0.0.1 (WEBHOOK_ALLOW_PRIVATE_TARGETS on) by two coordinators sharing one
 * database and queue, as replicas do: each notification is posted once (twice when the receiver first fails), signed.
 */
describe('webhook delivery', () => {
  let a: TestCoordinator;
  let b: TestCoordinator;
  let stores: Stores;
  let receiver: WebhookReceiver;
  let api: ReturnType<typeof apiClient>;

  const subscribe = async (path: string, body: object = {}): Promise<CreatedWebhookDto> => {
    const created = await api.post<CreatedWebhookDto>(`/api/v1/projects/${DEFAULT_PROJECT_ID}/webhooks`, { url: `${receiver.url}${path}`, events: ['sweep.completed', 'sweep.failed', 'trial.failed', 'best.improved'], ...body });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return created.body;
  };
  const newSweep = async (name: string, maxTrials: number): Promise<{ sweep: SweepDto; trials: TrialEntity[] }> => {
    const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name, model: 'simulated', budget: { maxTrials, maxConcurrent: maxTrials, maxEpochsPerTrial: 1 } }));
    return { sweep, trials: await trialsOfSweep(stores, sweep.id) };
  };
  /** Both replicas top the sweep up at once, twice, as both would on the same job's event. */
  const topUpOnBoth = (sweepId: string) => Promise.all([a, b, a, b].map((c) => c.app.get(SweepScheduler).topUp(sweepId)));
  const eventsAt = (path: string) => receiver.to(path).map((post) => post.headers[WEBHOOK_EVENT_HEADER] as WebhookEvent);
  /** Through the shared client, which parses the answer with its schema. */
  const deliveriesOf = (webhookId: string) => a.client.listWebhookDeliveries({ id: webhookId, query: {} });

  before(async () => {
    receiver = await WebhookReceiver.start();
    const webhooks = { ...loadCoordinatorConfig({ WEBHOOK_SECRETS_KEY: TEST_WEBHOOK_SECRETS_KEY }).webhooks, allowPrivateTargets: true, firstRetryMs: 200, attempts: 4, timeoutMs: 2_000, publicUrl: PUBLIC_URL };
    a = await startTestCoordinator('webhook_delivery', { webhooks });
    b = await startTestCoordinator('webhook_delivery', { webhooks, queuePrefix: a.config.queuePrefix }, undefined, a.database);
    api = apiClient(a.baseUrl);
    stores = a.app.get(Stores);
  });
  after(async () => {
    await b?.close({ keepDatabase: true });
    await a?.close();
    await receiver?.close();
  });

  it('posts each event once, signed, retries after the receiver fails (500, then 200), and logs both attempts', async () => {
    const json = await subscribe('/json');
    receiver.answer = (post, earlier) =>
      post.path === '/json' && post.headers[WEBHOOK_EVENT_HEADER] === 'sweep.completed' && !earlier.some((e) => e.headers[WEBHOOK_DELIVERY_HEADER] === post.headers[WEBHOOK_DELIVERY_HEADER]) ? 500 : 200;
    const { sweep, trials } = await newSweep('delivered', 3);

    await endTrials(stores, [trials[0]], { status: 'failed' });
    await endTrials(stores, [trials[1]], { status: 'completed', bestMetric: 0.5 });
    await topUpOnBoth(sweep.id);
    await waitFor('the failure and the first best arrive', async () => receiver.to('/json').length >= 2);
    await endTrials(stores, [trials[2]], { status: 'completed', bestMetric: 0.3 });
    await topUpOnBoth(sweep.id);
    await waitFor('the completion arrives after its retry', async () => eventsAt('/json').filter((e) => e === 'sweep.completed').length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 500)); // time for any second post to show up

    const posts = receiver.to('/json');
    assert.deepEqual(posts.map((p) => p.headers[WEBHOOK_EVENT_HEADER]).sort(), ['best.improved', 'best.improved', 'sweep.completed', 'sweep.completed', 'trial.failed']);
    const payloads = posts.map((post) => verified(post, json.secret));
    const [failure] = payloads.filter((p) => p.event === 'trial.failed');
    assert.deepEqual([failure.trial?.id, failure.trial?.status, failure.trial?.statusReason], [trials[0].id, 'failed', 'failed by the test']);
    const bests = payloads.filter((p) => p.event === 'best.improved').map((p) => [p.trial?.number, p.trial?.value, p.previousBest]);
    assert.deepEqual(bests, [[1, 0.5, null], [2, 0.3, 0.5]]);
    const [completed, retried] = payloads.filter((p) => p.event === 'sweep.completed');
    assert.deepEqual(completed, retried, 'the retry posts the same notification');
    assert.deepEqual(
      [completed.sweep.id, completed.sweep.name, completed.sweep.status, completed.best?.trialId, completed.best?.value, completed.url],
      [sweep.id, 'delivered', 'completed', trials[2].id, 0.3, `${PUBLIC_URL}/sweeps/${sweep.id}`],
    );
    assert.equal(new Set(posts.map((p) => p.headers[WEBHOOK_DELIVERY_HEADER])).size, 4, 'four notifications, one of them posted twice');

    const log = await deliveriesOf(json.id);
    assert.equal(log.total, 5);
    const completion = log.items.filter((d) => d.event === 'sweep.completed').map((d) => [d.attempt, d.statusCode, d.outcome, d.error]);
    assert.deepEqual(completion, [[2, 200, 'delivered', null], [1, 500, 'retrying', 'answered 500']]);
    assert.ok(log.items.filter((d) => d.event !== 'sweep.completed').every((d) => d.attempt === 1 && d.statusCode === 200 && d.outcome === 'delivered'));
    await api.request('DELETE', `/api/v1/webhooks/${json.id}`);
  });

  it("posts Slack incoming-webhook messages: text, then blocks with the sweep's link, status and best value", async () => {
    receiver.answer = () => 200;
    const slack = await subscribe('/slack', { format: 'slack', events: ['sweep.completed', 'sweep.failed'] });
    const { sweep: good, trials: goodTrials } = await newSweep('slack <good> & fine', 1);
    await endTrials(stores, goodTrials, { status: 'completed', bestMetric: 0.123456 });
    await a.app.get(SweepScheduler).topUp(good.id);
    const { sweep: bad, trials: badTrials } = await newSweep('slack-bad', 1);
    await endTrials(stores, badTrials, { status: 'failed' });
    await a.app.get(SweepScheduler).topUp(bad.id);
    await waitFor('both messages arrive', async () => receiver.to('/slack').length >= 2);

    const messages = receiver.to('/slack').map((post) => ({ event: post.headers[WEBHOOK_EVENT_HEADER], signed: post.headers[WEBHOOK_SIGNATURE_HEADER], message: JSON.parse(post.body) }));
    const completed = messages.find((m) => m.event === 'sweep.completed')?.message;
    assert.equal(completed.text, "Sweep 'slack <good> & fine' completed: best val_loss 0.12346 (trial 0)");
    assert.deepEqual(
      completed.blocks.map((block: { type: string }) => block.type),
      ['section', 'section', 'context'],
    );
    assert.equal(completed.blocks[0].text.type, 'mrkdwn');
    assert.equal(completed.blocks[0].text.text, `Sweep *<${PUBLIC_URL}/sweeps/${good.id}|slack &lt;good&gt; &amp; fine>* completed: best val_loss 0.12346 (trial 0)`);
    assert.deepEqual(
      completed.blocks[1].fields.map((f: { text: string }) => f.text),
      ['*Status*\ncompleted', '*Best val_loss (minimize)*\n0.12346 (trial 0)', '*Trials*\n1 of 1 created'],
    );
    assert.match(completed.blocks[2].elements[0].text, new RegExp(`<${PUBLIC_URL}/sweeps/${good.id}\\|open the sweep>`));
    const failed = messages.find((m) => m.event === 'sweep.failed')?.message;
    assert.equal(failed.text, "Sweep 'slack-bad' failed: its only trial failed (trial 0: failed by the test)");
    assert.ok(messages.every((m) => typeof m.signed === 'string' && m.signed.startsWith('sha256=')), 'Slack ignores the signature; it is sent all the same');
    await api.request('DELETE', `/api/v1/webhooks/${slack.id}`);
  });

  it('gives up at once on an answer no retry mends (410), after WEBHOOK_ATTEMPTS on one that keeps failing (503), and retries one that does not answer in time', async () => {
    receiver.answer = (post, earlier) => (post.path === '/gone' ? 410 : post.path === '/down' ? 503 : earlier.some((e) => e.path === '/slow') ? 200 : 'hang');
    const gone = await subscribe('/gone', { events: ['trial.failed'] });
    const down = await subscribe('/down', { events: ['trial.failed'] });
    const slow = await subscribe('/slow', { events: ['trial.failed'] });
    const { sweep, trials } = await newSweep('refused', 1);
    await endTrials(stores, trials, { status: 'failed' });
    await a.app.get(SweepScheduler).topUp(sweep.id);
    await waitFor('the failing receiver is tried 4 times', async () => (await deliveriesOf(down.id)).items.some((d) => d.outcome === 'failed'), 20_000);
    assert.deepEqual(
      (await deliveriesOf(down.id)).items.map((d) => [d.attempt, d.statusCode, d.outcome]),
      [[4, 503, 'failed'], [3, 503, 'retrying'], [2, 503, 'retrying'], [1, 503, 'retrying']],
    );
    assert.deepEqual(
      (await deliveriesOf(gone.id)).items.map((d) => [d.attempt, d.statusCode, d.outcome, d.error]),
      [[1, 410, 'failed', 'answered 410']],
    );
    await waitFor('the slow receiver gets its second attempt', async () => (await deliveriesOf(slow.id)).items.some((d) => d.outcome === 'delivered'), 20_000);
    assert.deepEqual(
      (await deliveriesOf(slow.id)).items.map((d) => [d.attempt, d.statusCode, d.outcome, d.error]),
      [[2, 200, 'delivered', null], [1, null, 'retrying', 'no answer within 2000 ms']],
    );
    for (const { id } of [gone, down, slow]) await api.request('DELETE', `/api/v1/webhooks/${id}`);
  });

  it('delivers a notification whose enqueue was lost (committed, then the coordinator died) at the next catch-up', async () => {
    receiver.answer = () => 200;
    const hook = await subscribe('/outbox', { events: ['best.improved'] });
    const { sweep, trials } = await newSweep('outbox', 2);
    await endTrials(stores, [trials[0]], { status: 'completed', bestMetric: 1 });
    // What a top-up's transaction writes; its enqueue after the commit never happens.
    const noticed = await stores.transaction(async (tx) => {
      const locked = await tx.sweeps.lock(sweep.id);
      assert.ok(locked);
      return tx.webhooks.recordNotices({ id: sweep.id, projectId: locked.projectId, direction: 'minimize', plannedTrials: locked.plannedTrials });
    });
    assert.equal(noticed.length, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.to('/outbox').length, 0, 'not posted yet');
    await b.app.get(NotificationDispatcher).catchUp();
    await waitFor('the catch-up delivers it', async () => receiver.to('/outbox').length === 1);
    assert.equal(receiver.to('/outbox')[0].headers[WEBHOOK_DELIVERY_HEADER], noticed[0]);
    await api.request('DELETE', `/api/v1/webhooks/${hook.id}`);
  });
});
