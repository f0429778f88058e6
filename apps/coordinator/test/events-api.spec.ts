import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DashboardEventSchema } from '@tuneforge/contracts';
import { Stores } from '@tuneforge/persistence';
import { claimTrials, seedMetricPoints } from '@tuneforge/testing';
import { EventStream } from '../src/events/event-stream.service';
import { SseReader } from './support/sse-reader';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

describe('events API (Server-Sent Events)', () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let stores: Stores;
  const readers: SseReader[] = [];
  const open = async (query = '') => {
    const reader = await SseReader.open(`${coordinator.baseUrl}/api/v1/events${query}`);
    readers.push(reader);
    return reader;
  };
  const submit = async (name: string) => {
    const sweep = await coordinator.client.createSweep({ body: aSweepSpec({ name, model: 'simulated', budget: { maxTrials: 4, maxConcurrent: 2, maxEpochsPerTrial: 10 } }) });
    const trials = (await coordinator.client.listTrials({ id: sweep.id, query: { sort: 'number' } })).items;
    return { sweep, trials };
  };

  before(async () => {
    coordinator = await startTestCoordinator('events_api');
    api = apiClient(coordinator.baseUrl);
    stores = coordinator.app.get(Stores);
  });
  after(async () => {
    for (const reader of readers) reader.close();
    await coordinator.close();
  });

  it('opens a stream with a retry interval and a hello, then heartbeats', async () => {
    const sut = await open();
    assert.equal(sut.status, 200);
    assert.match(sut.contentType, /^text\/event-stream/);
    const first = await sut.next(() => true);
    assert.equal(first.retry, 2000);
    const hello = await sut.next((m) => m.event === 'hello');
    assert.ok(Date.parse(hello.data.serverTime) > 0);
    const heartbeat = await sut.next((m) => m.event === 'heartbeat', 5_000);
    assert.ok(Date.parse(heartbeat.data.serverTime) >= Date.parse(hello.data.serverTime));
  });

  it('sends new sweeps and trials, new metric epochs, trial status changes and pauses as they reach PostgreSQL', async () => {
    const sut = await open();
    await sut.next((m) => m.event === 'hello');
    await new Promise((resolve) => setTimeout(resolve, 500)); // let the first poll take its baseline
    const { sweep, trials } = await submit('events');
    const created = await sut.next((m) => m.event === 'sweep' && m.data.sweepId === sweep.id);
    assert.deepEqual(created.data, { sweepId: sweep.id, status: 'running', trialsCreated: 2, plannedTrials: 4 });
    await sut.next((m) => m.event === 'trial' && m.data.trialId === trials[1].id && m.data.status === 'queued');

    const [run] = await claimTrials(stores, [trials[0]]);
    await seedMetricPoints(stores, run, [1, 2, 3].map((epoch) => ({ epoch, name: 'val_loss', value: 1 / epoch })));
    const metrics = await sut.next((m) => m.event === 'metrics' && m.data.trialId === trials[0].id);
    assert.deepEqual(metrics.data, { sweepId: sweep.id, trialId: trials[0].id, epoch: 3 });

    assert.deepEqual(await stores.trials.end([{ trialId: run.id, attempt: run.attempts, status: 'pruned', reason: 'pruned at rung 1', bestMetric: 0.33, lastEpoch: 3, prunedRung: 1 }]), [true]);
    const pruned = await sut.next((m) => m.event === 'trial' && m.data.trialId === trials[0].id && m.data.status === 'pruned');
    assert.deepEqual(pruned.data, { sweepId: sweep.id, trialId: trials[0].id, number: 0, status: 'pruned', lastEpoch: 3, bestMetric: 0.33, prunedRung: 1 });

    assert.equal((await api.post(`/api/v1/sweeps/${sweep.id}/pause`)).status, 200);
    await sut.next((m) => m.event === 'sweep' && m.data.sweepId === sweep.id && m.data.status === 'paused');
    assert.equal((await api.post(`/api/v1/sweeps/${sweep.id}/cancel`)).status, 200);
    await sut.next((m) => m.event === 'sweep' && m.data.sweepId === sweep.id && m.data.status === 'cancelled');
    await sut.next((m) => m.event === 'trial' && m.data.trialId === trials[1].id && m.data.status === 'cancelled');
  });

  it('sends only events DashboardEventSchema describes, whole', () => {
    const events = readers.flatMap((reader) => reader.messages).filter((m) => m.data !== undefined);
    assert.ok(events.some((m) => m.event === 'trial') && events.some((m) => m.event === 'metrics'));
    for (const { event, data } of events) {
      const { type, ...parsed } = DashboardEventSchema.parse({ type: event, ...data });
      assert.equal(type, event);
      assert.deepEqual(parsed, data, event);
    }
  });

  it("sends only one sweep's events when filtered by `sweep`", async () => {
    const first = await submit('filtered-out');
    const second = await submit('filtered-in');
    const sut = await open(`?sweep=${second.sweep.id}`);
    await sut.next((m) => m.event === 'hello');
    await new Promise((resolve) => setTimeout(resolve, 500));
    for (const trial of [first.trials[0], second.trials[0]]) assert.ok(await stores.trials.failAfterJob(trial.id, 'failed by the test'));
    await sut.next((m) => m.event === 'trial' && m.data.trialId === second.trials[0].id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(!sut.messages.some((m) => m.data?.sweepId === first.sweep.id), 'no event of the other sweep');
  });

  it('answers 400 naming a bad parameter', async () => {
    const { status, body } = await api.get('/api/v1/events?sweep=nope');
    assert.equal(status, 400);
    assert.deepEqual(body.issues.map((i: { path: string }) => i.path), ['query.sweep']);
    const unknown = await api.get('/api/v1/events?since=5');
    assert.deepEqual(unknown.body.issues.map((i: { path: string }) => i.path), ['query.since']);
  });

  it('documents the dashboard endpoints in the OpenAPI document', async () => {
    const { body } = await api.get('/api/docs-json');
    for (const path of ['/api/v1/events', '/api/v1/sweeps/{id}/curves', '/api/v1/sweeps/{id}/trial-points', '/api/v1/trials/{id}/checkpoints/{epoch}']) {
      assert.ok(body.paths[path]?.get, `${path} is documented`);
    }
    assert.deepEqual(body.paths['/api/v1/sweeps/{id}/curves'].get.parameters.map((p: { name: string }) => p.name).sort(), ['id', 'metric', 'points', 'top', 'trials']);
  });

  it('stops polling when the last subscriber leaves', async () => {
    const stream = coordinator.app.get(EventStream);
    for (const reader of readers.splice(0)) reader.close();
    const deadline = Date.now() + 5_000;
    while (stream.subscriberCount > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(stream.subscriberCount, 0);
  });
});
