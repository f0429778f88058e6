import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CreatedWebhookDto, ErrorBody, SweepDto, WebhookDto } from '@tuneforge/contracts';
import { DEFAULT_PROJECT_ID, Stores } from '@tuneforge/persistence';
import { aParsedSweepSpec, seedAccount, seedSweep } from '@tuneforge/testing';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

/** The webhooks API on a coordinator that keeps webhooks to public addresses (WEBHOOK_ALLOW_PRIVATE_TARGETS off). */
describe('webhooks API', () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let stores: Stores;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });
  const people = { editor: '', viewer: '', outsider: '' };
  let sweepOfB = '';

  const hooksOf = (projectId: string) => `/api/v1/projects/${projectId}/webhooks`;
  const create = (body: unknown, token = people.editor, projectId = DEFAULT_PROJECT_ID) => api.post<CreatedWebhookDto & ErrorBody>(hooksOf(projectId), body, as(token));
  const aWebhook = (overrides: object = {}) => ({ url: 'https://hooks.slack.com/services/T000/B000/not-a-real-slack-secret', events: ['sweep.completed', 'sweep.failed'], ...overrides });

  before(async () => {
    coordinator = await startTestCoordinator('webhooks_api');
    api = apiClient(coordinator.baseUrl);
    stores = coordinator.app.get(Stores);
    const projectB = await stores.accounts.createProject('webhooks-b');
    sweepOfB = (await seedSweep(stores, { spec: aParsedSweepSpec({ name: 'webhooks-b' }), projectId: projectB.id })).sweep.id;
    people.editor = (await seedAccount(stores, { name: 'hooks-editor', roles: [{ projectId: DEFAULT_PROJECT_ID, role: 'editor' }] })).token;
    people.viewer = (await seedAccount(stores, { name: 'hooks-viewer', roles: [{ projectId: DEFAULT_PROJECT_ID, role: 'viewer' }] })).token;
    people.outsider = (await seedAccount(stores, { name: 'hooks-outsider', roles: [{ projectId: projectB.id, role: 'admin' }] })).token;
  });
  after(() => coordinator.close());

  it('creates a webhook whose secret only its creation answers, lists it with its URL shortened, and deletes it', async () => {
    const created = await create(aWebhook({ format: 'slack' }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(
      { url: created.body.url, events: created.body.events, format: created.body.format, sweepId: created.body.sweepId, projectId: created.body.projectId },
      { url: 'https://hooks.slack.com/services/…', events: ['sweep.completed', 'sweep.failed'], format: 'slack', sweepId: null, projectId: DEFAULT_PROJECT_ID },
    );
    const listed = await api.request<{ items: WebhookDto[] }>('GET', hooksOf(DEFAULT_PROJECT_ID), undefined, as(people.editor));
    assert.equal(listed.status, 200);
    const shown = listed.body.items.find((w) => w.id === created.body.id);
    assert.ok(shown && !('secret' in shown), 'listed, without its secret');
    for (const secret of [created.body.secret, 'not-a-real-slack-secret']) assert.ok(!JSON.stringify(listed.body).includes(secret), 'no list shows the secret or the URL past its first segment');
    const deliveries = await api.request('GET', `/api/v1/webhooks/${created.body.id}/deliveries`, undefined, as(people.editor));
    assert.deepEqual([deliveries.status, deliveries.body.items, deliveries.body.total], [200, [], 0]);

    assert.equal((await api.request('DELETE', `/api/v1/webhooks/${created.body.id}`, undefined, as(people.editor))).status, 204);
    const again = await api.request<ErrorBody>('DELETE', `/api/v1/webhooks/${created.body.id}`, undefined, as(people.editor));
    assert.deepEqual([again.status, again.body.code], [404, 'WEBHOOK_NOT_FOUND']);
    assert.equal((await api.request<ErrorBody>('GET', `/api/v1/webhooks/${created.body.id}/deliveries`)).body.code, 'WEBHOOK_NOT_FOUND');
  });

  it("subscribes to one sweep's events, and goes when its sweep is deleted", async () => {
    const { body: sweep } = await api.post<SweepDto>('/api/v1/sweeps', aSweepSpec({ name: 'hooked' }));
    const created = await create(aWebhook({ url: 'https://example.com/tuneforge', events: ['trial.failed', 'best.improved'], sweepId: sweep.id }));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.sweepId, created.body.url, created.body.format], [sweep.id, 'https://example.com/tuneforge', 'json']);
    await api.post(`/api/v1/sweeps/${sweep.id}/cancel`);
    assert.equal((await api.request('DELETE', `/api/v1/sweeps/${sweep.id}`)).status, 204);
    const listed = await api.get<{ items: WebhookDto[] }>(hooksOf(DEFAULT_PROJECT_ID));
    assert.ok(!listed.body.items.some((w) => w.id === created.body.id));
  });

  it('refuses bad input, naming the field and the rule', async () => {
    const cases: [object, string, RegExp][] = [
      [aWebhook({ url: 'not a url' }), 'body.url', /http or https URL/],
      [aWebhook({ url: 'ftp://example.com/x' }), 'body.url', /http or https URL/],
      [{ events: ['sweep.completed'] }, 'body.url', /.+/],
      [aWebhook({ url: `https://example.com/${'x'.repeat(2_000)}` }), 'body.url', /2000/],
      [aWebhook({ events: ['sweep.exploded'] }), 'body.events.0', /sweep\.completed/],
      [aWebhook({ events: [] }), 'body.events', /.+/],
      [aWebhook({ events: ['trial.failed', 'trial.failed'] }), 'body.events', /each event once/],
      [aWebhook({ format: 'teams' }), 'body.format', /json|slack/],
      [aWebhook({ sweepId: 'not-an-id' }), 'body.sweepId', /UUID/i],
      [aWebhook({ secret: 'mine' }), 'body.secret', /unknown field/],
    ];
    for (const [body, path, message] of cases) {
      const answer = await create(body);
      assert.equal(answer.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.code, 'VALIDATION_FAILED');
      const issue = answer.body.issues?.find((i) => i.path === path);
      assert.ok(issue, `${path} in ${JSON.stringify(answer.body.issues)}`);
      assert.match(issue.message, message);
    }
    const query = await api.request<ErrorBody>('GET', `/api/v1/webhooks/3f8e9a9e-8f5d-4c59-9d0a-1d9d2c7b0000/deliveries?limit=0`);
    assert.deepEqual([query.status, query.body.issues?.[0].path], [400, 'query.limit']);
  });

  it('refuses loopback, private and link-local targets (WEBHOOK_TARGET_REFUSED), whatever their spelling', async () => {
    const refused = [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://LOCALHOST./hook',
      'http://api.localhost/x',
      'http://10.1.2.3/',
      'http://172.20.0.5/',
      'http://192.168.0.10/',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/',
      'http://0.0.0.0/',
      'http://[::1]/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://2130706433/', // 127.0.0.1 as one number
      'http://0x7f.1/',
    ];
    for (const url of refused) {
      const answer = await create(aWebhook({ url }));
      assert.deepEqual([answer.status, answer.body.code], [400, 'WEBHOOK_TARGET_REFUSED'], `${url}: ${JSON.stringify(answer.body)}`);
      assert.match(answer.body.message, /WEBHOOK_ALLOW_PRIVATE_TARGETS=true/);
    }
    for (const url of ['https://8.8.8.8/hook', 'https://[2001:4860:4860::8888]/hook', 'https://hooks.example.com:8443/x?y=1']) {
      assert.equal((await create(aWebhook({ url }))).status, 201, url);
    }
  });

  it("answers by role: another project's members get its 404, viewers a 403, and a sweep must be the project's", async () => {
    const { body: hook } = await create(aWebhook());
    const refusals: [Promise<{ status: number; body: ErrorBody }>, number, string][] = [
      [create(aWebhook(), people.outsider), 404, 'PROJECT_NOT_FOUND'],
      [api.request('GET', hooksOf(DEFAULT_PROJECT_ID), undefined, as(people.outsider)), 404, 'PROJECT_NOT_FOUND'],
      [api.request('DELETE', `/api/v1/webhooks/${hook.id}`, undefined, as(people.outsider)), 404, 'WEBHOOK_NOT_FOUND'],
      [api.request('GET', `/api/v1/webhooks/${hook.id}/deliveries`, undefined, as(people.outsider)), 404, 'WEBHOOK_NOT_FOUND'],
      [create(aWebhook(), people.viewer), 403, 'FORBIDDEN'],
      [api.request('GET', hooksOf(DEFAULT_PROJECT_ID), undefined, as(people.viewer)), 403, 'FORBIDDEN'],
      [api.request('DELETE', `/api/v1/webhooks/${hook.id}`, undefined, as(people.viewer)), 403, 'FORBIDDEN'],
      [create(aWebhook({ sweepId: sweepOfB })), 404, 'SWEEP_NOT_FOUND'],
      [create(aWebhook(), people.editor, '3f8e9a9e-8f5d-4c59-9d0a-1d9d2c7b0000'), 404, 'PROJECT_NOT_FOUND'],
    ];
    for (const [answer, status, code] of refusals) {
      const { status: got, body } = await answer;
      assert.deepEqual([got, body.code], [status, code], body.message);
    }
    assert.equal((await api.request('DELETE', `/api/v1/webhooks/${hook.id}`, undefined, as(people.editor))).status, 204, 'its project editor may');
  });

  it('records creates and deletes in the audit log', async () => {
    const { body: hook } = await create(aWebhook());
    await api.request('DELETE', `/api/v1/webhooks/${hook.id}`, undefined, as(people.editor));
    const { body } = await api.get<{ items: { action: string; actor: { name: string }; target: { kind: string; id: string } | null; projectId: string | null }[] }>('/api/v1/audit?limit=100');
    const deleted = body.items.find((e) => e.action === 'webhook-deleted' && e.target?.id === hook.id);
    assert.deepEqual(deleted && [deleted.actor.name, deleted.target?.kind, deleted.projectId], ['hooks-editor', 'webhook', DEFAULT_PROJECT_ID]);
    assert.ok(body.items.some((e) => e.action === 'webhook-created' && e.actor.name === 'hooks-editor' && e.projectId === DEFAULT_PROJECT_ID));
  });
});
