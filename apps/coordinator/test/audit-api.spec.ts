import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuditPageSchema, type AuditAction, type AuditEventDto, type ListAuditQuery } from '@tuneforge/contracts';
import { DEFAULT_PROJECT_ID, Stores } from '@tuneforge/persistence';
import { dropTable, seedAccount, seedSweep, TEST_ADMIN_TOKEN, waitFor } from '@tuneforge/testing';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

const PASSWORD = 'correct horse battery staple';

describe('the audit log (GET /audit)', () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let stores: Stores;
  let editor: { userId: string; token: string };
  let viewer: { userId: string; token: string };
  /** Every credential the tests use: none may appear in the log. */
  const secrets: string[] = [PASSWORD, TEST_ADMIN_TOKEN];

  const as = (token: string, address = '203.0.113.7') => ({ authorization: `Bearer ${token}`, 'x-forwarded-for': address });
  /** The events of `query`, once there are at least `count` (they are written after the answer). */
  const eventsOf = async (query: Partial<ListAuditQuery>, count = 1): Promise<AuditEventDto[]> =>
    waitFor(`${count} audit events of ${JSON.stringify(query)}`, async () => {
      const page = await coordinator.client.listAudit({ query });
      return page.items.length >= count ? page.items : undefined;
    }, 10_000, 50);
  const only = async (action: AuditAction, actor: string): Promise<AuditEventDto> => {
    const [event, ...others] = await eventsOf({ action, actor });
    assert.deepEqual(others, [], `one ${action} by ${actor}`);
    return event;
  };

  before(async () => {
    // Behind a proxy on 127.0.0.1 (this test): X-Forwarded-For is the client's address.
    coordinator = await startTestCoordinator('audit_api', { trustProxy: ['loopback'] });
    api = apiClient(coordinator.baseUrl);
    stores = coordinator.app.get(Stores);
    editor = await seedAccount(stores, { name: 'audit-editor', roles: [{ projectId: DEFAULT_PROJECT_ID, role: 'editor' }], password: PASSWORD });
    viewer = await seedAccount(stores, { name: 'audit-viewer', roles: [{ projectId: DEFAULT_PROJECT_ID, role: 'viewer' }] });
    secrets.push(editor.token, viewer.token);
  });
  after(() => coordinator.close());

  it('records a write with its actor, token prefix, target, project, address and outcome', async () => {
    const created = await api.post('/api/v1/sweeps', aSweepSpec({ name: 'audited' }), as(editor.token));
    assert.equal(created.status, 201);
    const event = await only('sweep-submitted', 'audit-editor');
    assert.deepEqual(
      { ...event, id: undefined, at: undefined },
      {
        id: undefined,
        at: undefined,
        actor: { userId: editor.userId, name: 'audit-editor' },
        via: 'token',
        tokenPrefix: editor.token.split('_')[1],
        action: 'sweep-submitted',
        target: { kind: 'sweep', id: created.body.id },
        projectId: DEFAULT_PROJECT_ID,
        clientAddress: '203.0.113.7',
        outcome: 'ok',
        status: 201,
      },
    );
    assert.ok(Math.abs(Date.parse(event.at) - Date.now()) < 60_000);
  });

  it('records refused writes: a viewer (403) and no credentials at all (401), with the sweep and its project', async () => {
    const { sweep } = await seedSweep(stores, { trials: 1 });
    assert.equal((await api.post(`/api/v1/sweeps/${sweep.id}/pause`, undefined, as(viewer.token))).status, 403);
    assert.equal((await api.request('DELETE', `/api/v1/sweeps/${sweep.id}`, undefined, { authorization: '' })).status, 401);
    const refused = await only('sweep-paused', 'audit-viewer');
    assert.deepEqual([refused.outcome, refused.status, refused.target, refused.projectId], ['refused', 403, { kind: 'sweep', id: sweep.id }, DEFAULT_PROJECT_ID]);
    const anonymous = await only('sweep-deleted', 'anonymous');
    assert.deepEqual([anonymous.actor, anonymous.via, anonymous.outcome, anonymous.status, anonymous.target], [{ userId: null, name: 'anonymous' }, null, 'refused', 401, { kind: 'sweep', id: sweep.id }]);
  });

  it('records sign-ins (failed ones under sign-in-failed, by the name tried), sign-outs and downloads', async () => {
    const signIn = (body: unknown) => api.post('/api/v1/auth/session', body, { authorization: '', 'x-forwarded-for': '198.51.100.9' });
    assert.equal((await signIn({ name: 'audit-editor', password: 'wrong' })).status, 401);
    const signedIn = await signIn({ name: 'audit-editor', password: PASSWORD });
    assert.equal(signedIn.status, 200);
    const failed = await only('sign-in-failed', 'anonymous');
    assert.deepEqual([failed.via, failed.target, failed.status, failed.clientAddress], ['password', { kind: 'account', id: 'audit-editor' }, 401, '198.51.100.9']);
    const ok = await only('sign-in', 'audit-editor');
    assert.deepEqual([ok.actor.userId, ok.via, ok.status, ok.outcome], [editor.userId, 'password', 200, 'ok']);

    const cookie = signedIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const csrf = /tf_csrf=([^;]+)/.exec(cookie)?.[1] ?? '';
    assert.equal((await api.request('DELETE', '/api/v1/auth/session', undefined, { authorization: '', cookie, 'x-csrf-token': csrf })).status, 204);
    const signOut = await only('sign-out', 'audit-editor');
    assert.deepEqual([signOut.via, signOut.tokenPrefix], ['session', null]);

    const { trials } = await seedSweep(stores, { trials: 1 });
    assert.equal((await api.request('GET', `/api/v1/trials/${trials[0].id}/model`, undefined, as(viewer.token))).status, 409);
    const download = await only('model-downloaded', 'audit-viewer');
    assert.deepEqual([download.target, download.outcome, download.status], [{ kind: 'trial', id: trials[0].id }, 'refused', 409]);
  });

  it('records a dataset upload with the created dataset as its target', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')},${i}`).join('\n');
    const uploaded = await api.request('POST', '/api/v1/datasets?name=audited', `date,y\n${rows}\n`, { ...as(editor.token), 'content-type': 'text/csv' });
    assert.equal(uploaded.status, 201);
    assert.deepEqual((await only('dataset-uploaded', 'audit-editor')).target, { kind: 'dataset', id: uploaded.body.id });
  });

  it('records the account routes: tokens made and revoked, users, projects, members and service accounts, each with its target', async () => {
    const made = await api.post('/api/v1/tokens', { name: 'audited' }, as(editor.token));
    assert.equal(made.status, 201);
    secrets.push(made.body.token);
    assert.equal((await api.request('DELETE', `/api/v1/tokens/${made.body.id}`, undefined, as(editor.token))).status, 204);
    const user = await api.post('/api/v1/users', { name: 'audit-new-user', password: 'a long enough password' });
    const project = await api.post('/api/v1/projects', { name: 'audit-project' });
    assert.equal((await api.request('PUT', `/api/v1/projects/${project.body.id}/members/${user.body.id}`, { role: 'editor' })).status, 200);
    assert.equal((await api.request('DELETE', `/api/v1/projects/${project.body.id}/members/${user.body.id}`)).status, 204);
    const bot = await api.post(`/api/v1/projects/${project.body.id}/service-accounts`, { name: 'audit-bot', role: 'viewer' });
    assert.equal(bot.status, 201);
    secrets.push(bot.body.token.token);

    const targets = async (action: AuditAction, count = 1) => (await eventsOf({ action, actor: 'admin' }, count)).map((e) => [e.target, e.projectId, e.status]);
    assert.deepEqual((await only('token-created', 'audit-editor')).target, { kind: 'token', id: made.body.id });
    assert.deepEqual((await only('token-revoked', 'audit-editor')).target, { kind: 'token', id: made.body.id });
    assert.deepEqual(await targets('project-created'), [[{ kind: 'project', id: project.body.id }, null, 201]]);
    assert.deepEqual(await targets('member-set'), [[{ kind: 'user', id: user.body.id }, project.body.id, 200]]);
    assert.deepEqual(await targets('member-removed'), [[{ kind: 'user', id: user.body.id }, project.body.id, 204]]);
    assert.deepEqual(await targets('user-created', 2), [
      [{ kind: 'user', id: bot.body.user.id }, project.body.id, 201],
      [{ kind: 'user', id: user.body.id }, null, 201],
    ]);
  });

  it('stores no secret: no token, password or session secret in any event', async () => {
    const page = await coordinator.client.listAudit({ query: { limit: 500 } });
    assert.ok(page.total >= 8);
    const text = JSON.stringify(page);
    for (const secret of secrets) assert.ok(!text.includes(secret), 'a credential is in the audit log');
    assert.ok(!/tf_session=|tf_[a-z0-9]{10}_[A-Za-z0-9_-]{43}/.test(text));
  });

  it('pages newest first and filters by actor, action and time', async () => {
    const all = await coordinator.client.listAudit({ query: { limit: 500 } });
    const times = all.items.map((e) => Date.parse(e.at));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
    const second = await coordinator.client.listAudit({ query: { limit: 2, offset: 1 } });
    assert.deepEqual(second.items.map((e) => e.id), all.items.slice(1, 3).map((e) => e.id));
    assert.equal(second.total, all.total);
    const byEditor = await coordinator.client.listAudit({ query: { actor: 'audit-editor', limit: 500 } });
    assert.ok(byEditor.items.length > 0 && byEditor.items.every((e) => e.actor.name === 'audit-editor'));
    const since = all.items[2].at;
    const recent = await coordinator.client.listAudit({ query: { since, limit: 500 } });
    assert.ok(recent.items.every((e) => e.at >= since) && recent.items.length >= 3 && recent.items.length < all.items.length);
    assert.equal((await coordinator.client.listAudit({ query: { action: 'project-created', actor: 'audit-editor' } })).total, 0);
    assert.ok(AuditPageSchema.safeParse(all).success);
  });

  it('is for administrators of the deployment only, and names a bad filter', async () => {
    assert.equal((await api.request('GET', '/api/v1/audit', undefined, as(editor.token))).status, 403);
    assert.equal((await api.request('GET', '/api/v1/audit', undefined, { authorization: '' })).status, 401);
    for (const [query, field] of [['action=exploded', 'query.action'], ['since=yesterday', 'query.since'], ['limit=501', 'query.limit'], ['actor=', 'query.actor'], ['who=me', 'query.who']]) {
      const answer = await api.get(`/api/v1/audit?${query}`);
      assert.equal(answer.status, 400, query);
      assert.deepEqual(answer.body.issues.map((i: { path: string }) => i.path), [field], query);
    }
  });

  it('answers the request when the event cannot be written (PostgreSQL refuses it): the event is lost, with a warning', async () => {
    const { sweep } = await seedSweep(stores, { trials: 1 });
    await dropTable(stores, 'audit_events');
    const paused = await api.post(`/api/v1/sweeps/${sweep.id}/pause`, undefined, as(editor.token));
    assert.equal(paused.status, 200);
    assert.equal(paused.body.status, 'paused');
  });
});
