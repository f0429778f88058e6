import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError, createApiClient, type TuneforgeClient } from '@tuneforge/api-client';
import { DEFAULT_PROJECT_ID, Stores } from '@tuneforge/persistence';
import { seedAccount } from '@tuneforge/testing';
import { apiClient, startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

const UNKNOWN_ID = '3f8e9a9e-8f5d-4c59-9d0a-1d9d2c7b0000';

describe('accounts API: tokens, users, service accounts, projects and members', () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  let stores: Stores;
  /** The shared client with this token. */
  const as = (token: string): TuneforgeClient => createApiClient({ baseUrl: `${coordinator.baseUrl}/api/v1`, token });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const refusedWith = (status: number, code: string) => (error: unknown) => error instanceof ApiError && error.status === status && error.code === code;

  before(async () => {
    coordinator = await startTestCoordinator('accounts_api');
    api = apiClient(coordinator.baseUrl);
    stores = coordinator.app.get(Stores);
  });
  after(() => coordinator.close());

  describe('tokens', () => {
    it('shows a new token once; it works, lists without its secret, records its use, and stops working when revoked', async () => {
      const alice = await seedAccount(stores, { name: 'alice', roles: [{ projectId: DEFAULT_PROJECT_ID, role: 'editor' }] });
      const created = await as(alice.token).createToken({ body: { name: 'laptop', expiresInDays: 30 } });
      assert.match(created.token, /^tf_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.token.split('_')[1], created.prefix);
      assert.equal(created.userId, alice.userId);
      const days = (Date.parse(created.expiresAt ?? '') - Date.now()) / 86_400_000;
      assert.ok(days > 29.9 && days <= 30, `expires in 30 days, not ${days}`);

      assert.equal((await as(created.token).me()).user.name, 'alice');
      const listed = await api.request('GET', '/api/v1/tokens', undefined, bearer(alice.token));
      assert.equal(listed.status, 200);
      // The secret is all after the prefix: it may hold '_' itself.
      const secret = created.token.slice(`tf_${created.prefix}_`.length);
      assert.equal(secret.length, 43);
      assert.ok(!JSON.stringify(listed.body).includes(secret), 'no secret in the list');
      const laptop = listed.body.items.find((t: { id: string }) => t.id === created.id);
      assert.deepEqual(Object.keys(laptop).sort(), ['createdAt', 'expiresAt', 'id', 'lastUsedAt', 'name', 'prefix', 'revokedAt', 'userId']);
      assert.ok(laptop.lastUsedAt, 'its use is recorded');
      assert.equal(listed.body.items.length, 2, "alice's two tokens");

      assert.equal((await api.request('DELETE', `/api/v1/tokens/${created.id}`, undefined, bearer(alice.token))).status, 204);
      assert.equal((await api.request('DELETE', `/api/v1/tokens/${created.id}`, undefined, bearer(alice.token))).status, 204, 'revoking twice is no error');
      await assert.rejects(as(created.token).me(), refusedWith(401, 'UNAUTHENTICATED'));
      assert.ok((await as(alice.token).listTokens()).items.find((t) => t.id === created.id)?.revokedAt);
    });

    it("answers another user's token as unknown, except to deployment admins, who may also list and make anyone's", async () => {
      const bob = await seedAccount(stores, { name: 'bob' });
      const carol = await seedAccount(stores, { name: 'carol' });
      await assert.rejects(as(carol.token).revokeToken({ id: bob.tokenId }), refusedWith(404, 'TOKEN_NOT_FOUND'));
      await assert.rejects(as(carol.token).revokeToken({ id: 'not-an-id' }), refusedWith(404, 'TOKEN_NOT_FOUND'));
      await assert.rejects(as(carol.token).listTokens({ query: { user: 'bob' } }), refusedWith(403, 'FORBIDDEN'));
      await assert.rejects(as(carol.token).createToken({ body: { name: 'for bob', user: 'bob' } }), refusedWith(403, 'FORBIDDEN'));
      assert.equal((await as(carol.token).listTokens({ query: { user: 'carol' } })).items.length, 1, 'naming oneself is fine');

      const forBob = await coordinator.client.createToken({ body: { name: 'handed over', user: 'bob' } });
      assert.equal((await as(forBob.token).me()).user.name, 'bob');
      assert.deepEqual((await coordinator.client.listTokens({ query: { user: bob.userId } })).items.map((t) => t.name).sort(), ["bob's", 'handed over']);
      await assert.rejects(coordinator.client.listTokens({ query: { user: 'nobody' } }), refusedWith(404, 'USER_NOT_FOUND'));
      await coordinator.client.revokeToken({ id: bob.tokenId });
      await assert.rejects(as(bob.token).me(), refusedWith(401, 'UNAUTHENTICATED'));
    });
  });

  describe('users and service accounts', () => {
    it('creates a person with a password who signs in with it; lists users; only for deployment admins', async () => {
      const user = await coordinator.client.createUser({ body: { name: 'dora@example.org', password: 'correct horse battery' } });
      assert.deepEqual([user.name, user.kind, user.isAdmin], ['dora@example.org', 'person', false]);
      const signIn = await api.post('/api/v1/auth/session', { name: 'dora@example.org', password: 'correct horse battery' }, { authorization: '' });
      assert.equal(signIn.status, 200);
      assert.equal((await api.post('/api/v1/auth/session', { name: 'dora@example.org', password: 'wrong horse battery' }, { authorization: '' })).status, 401);
      const users = await coordinator.client.listUsers();
      assert.ok(users.items.some((u) => u.id === user.id));
      assert.ok(!JSON.stringify(users).includes('scrypt'), 'no password hash in the answer');

      const viewer = await seedAccount(stores, { name: 'eve', roles: [{ projectId: DEFAULT_PROJECT_ID, role: 'admin' }] });
      await assert.rejects(as(viewer.token).createUser({ body: { name: 'mallory' } }), refusedWith(403, 'FORBIDDEN'));
      await assert.rejects(as(viewer.token).listUsers(), refusedWith(403, 'FORBIDDEN'));
      const admin = await coordinator.client.createUser({ body: { name: 'second-admin', isAdmin: true } });
      assert.equal(admin.isAdmin, true);
    });

    it('a project admin creates a service account: a member with its role, and a first token shown once', async () => {
      const owner = await seedAccount(stores, { name: 'frank', roles: [{ projectId: DEFAULT_PROJECT_ID, role: 'admin' }] });
      const created = await as(owner.token).createServiceAccount({ id: DEFAULT_PROJECT_ID, body: { name: 'ci-bot', role: 'editor' } });
      assert.deepEqual([created.user.kind, created.role, created.token.userId], ['service', 'editor', created.user.id]);
      const me = await as(created.token.token).me();
      assert.deepEqual([me.user.kind, me.projects.map((p) => [p.id, p.role])], ['service', [[DEFAULT_PROJECT_ID, 'editor']]]);
      assert.ok((await as(owner.token).listMembers({ id: DEFAULT_PROJECT_ID })).items.some((m) => m.name === 'ci-bot' && m.kind === 'service'));

      const editor = await seedAccount(stores, { name: 'gina', roles: [{ projectId: DEFAULT_PROJECT_ID, role: 'editor' }] });
      await assert.rejects(as(editor.token).createServiceAccount({ id: DEFAULT_PROJECT_ID, body: { name: 'ci-2', role: 'admin' } }), refusedWith(403, 'FORBIDDEN'));
      await assert.rejects(coordinator.client.createServiceAccount({ id: UNKNOWN_ID, body: { name: 'ci-3', role: 'viewer' } }), refusedWith(404, 'PROJECT_NOT_FOUND'));
      assert.equal(await stores.accounts.userByName('ci-3'), undefined, 'nothing was created');
    });
  });

  describe('projects and members', () => {
    it('a deployment admin creates a project and becomes its admin; members see their projects only', async () => {
      const harry = await seedAccount(stores, { name: 'harry', roles: [{ projectId: DEFAULT_PROJECT_ID, role: 'viewer' }] });
      const project = await coordinator.client.createProject({ body: { name: 'forecasting' } });
      assert.equal(project.role, 'admin');
      assert.deepEqual((await coordinator.client.listMembers({ id: project.id })).items.map((m) => [m.name, m.role]), [['admin', 'admin']]);
      assert.ok((await coordinator.client.listProjects()).items.some((p) => p.id === project.id));
      assert.deepEqual((await as(harry.token).listProjects()).items, [{ id: DEFAULT_PROJECT_ID, name: 'default', role: 'viewer' }]);
      await assert.rejects(as(harry.token).createProject({ body: { name: 'mine' } }), refusedWith(403, 'FORBIDDEN'));
      await assert.rejects(as(harry.token).listMembers({ id: project.id }), refusedWith(404, 'PROJECT_NOT_FOUND'));
      await assert.rejects(coordinator.client.listMembers({ id: 'not-an-id' }), refusedWith(404, 'PROJECT_NOT_FOUND'));
    });

    it('adds members by name or id, changes roles and removes them; never the last admin', async () => {
      const project = await coordinator.client.createProject({ body: { name: 'members' } });
      const ivy = await seedAccount(stores, { name: 'ivy' });
      const jack = await seedAccount(stores, { name: 'jack' });
      assert.deepEqual(await coordinator.client.setMember({ id: project.id, userId: 'ivy', body: { role: 'admin' } }), { userId: ivy.userId, name: 'ivy', kind: 'person', role: 'admin' });
      const asIvy = as(ivy.token);
      assert.equal((await asIvy.setMember({ id: project.id, userId: jack.userId, body: { role: 'viewer' } })).role, 'viewer');
      assert.equal((await asIvy.setMember({ id: project.id, userId: 'jack', body: { role: 'editor' } })).role, 'editor');
      await assert.rejects(as(jack.token).setMember({ id: project.id, userId: 'jack', body: { role: 'admin' } }), refusedWith(403, 'FORBIDDEN'));
      await asIvy.removeMember({ id: project.id, userId: 'admin' });
      await assert.rejects(asIvy.removeMember({ id: project.id, userId: 'ivy' }), refusedWith(409, 'LAST_PROJECT_ADMIN'));
      await assert.rejects(asIvy.setMember({ id: project.id, userId: 'ivy', body: { role: 'viewer' } }), refusedWith(409, 'LAST_PROJECT_ADMIN'));
      await asIvy.setMember({ id: project.id, userId: 'jack', body: { role: 'admin' } });
      await asIvy.setMember({ id: project.id, userId: 'ivy', body: { role: 'viewer' } });
      await assert.rejects(asIvy.removeMember({ id: project.id, userId: 'jack' }), refusedWith(403, 'FORBIDDEN'));
      await as(jack.token).removeMember({ id: project.id, userId: 'ivy' });
      await assert.rejects(as(jack.token).removeMember({ id: project.id, userId: 'ivy' }), refusedWith(404, 'MEMBER_NOT_FOUND'));
      assert.deepEqual((await as(jack.token).listMembers({ id: project.id })).items.map((m) => [m.name, m.role]), [['jack', 'admin']]);
      await assert.rejects(asIvy.listMembers({ id: project.id }), refusedWith(404, 'PROJECT_NOT_FOUND'), 'a removed member no longer sees the project');
    });

    it('two admins demoting each other at once leave the project one admin', async () => {
      const project = await coordinator.client.createProject({ body: { name: 'race' } });
      const kim = await seedAccount(stores, { name: 'kim', roles: [{ projectId: project.id, role: 'admin' }] });
      const lee = await seedAccount(stores, { name: 'lee', roles: [{ projectId: project.id, role: 'admin' }] });
      await coordinator.client.removeMember({ id: project.id, userId: 'admin' });
      const results = await Promise.allSettled([
        as(kim.token).setMember({ id: project.id, userId: 'lee', body: { role: 'viewer' } }),
        as(lee.token).setMember({ id: project.id, userId: 'kim', body: { role: 'viewer' } }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      assert.equal(await stores.accounts.adminCount(project.id), 1);
    });
  });

  describe('bad input', () => {
    /** A valid body of every account route that takes one, and where it goes. */
    const BODIES: { method: string; path: () => string; body: Record<string, unknown> }[] = [
      { method: 'POST', path: () => '/api/v1/tokens', body: { name: 'a token', expiresInDays: 1 } },
      { method: 'POST', path: () => '/api/v1/users', body: { name: 'someone-new', password: 'twelve chars!' } },
      { method: 'POST', path: () => `/api/v1/projects/${DEFAULT_PROJECT_ID}/service-accounts`, body: { name: 'bot-new', role: 'viewer' } },
      { method: 'POST', path: () => '/api/v1/projects', body: { name: 'project-new' } },
      { method: 'PUT', path: () => `/api/v1/projects/${DEFAULT_PROJECT_ID}/members/admin`, body: { role: 'admin' } },
    ];

    it('refuses an unknown field, and a NUL in any text field, naming the field; nothing is created', async () => {
      const usersBefore = (await coordinator.client.listUsers()).items.length;
      for (const { method, path, body } of BODIES) {
        const unknown = await api.request(method, path(), { ...body, extra: 1 });
        assert.deepEqual([unknown.status, unknown.body.issues], [400, [{ path: 'body.extra', message: 'unknown field' }]], `${method} ${path()}`);
        for (const [field, value] of Object.entries(body).filter(([, v]) => typeof v === 'string')) {
          const answer = await api.request(method, path(), { ...body, [field]: `${String(value)}\u0000` });
          assert.equal(answer.status, 400, `${method} ${path()} ${field}`);
          assert.deepEqual(answer.body.issues.map((i: { path: string }) => i.path), [`body.${field}`]);
          assert.match(answer.body.issues[0].message, /NUL/);
        }
        const notAnObject = await api.request(method, path(), ['x']);
        assert.equal(notAnObject.status, 400, `${method} ${path()} with an array`);
      }
      assert.equal((await coordinator.client.listUsers()).items.length, usersBefore);
      assert.equal((await coordinator.client.listProjects()).items.some((p) => p.name === 'project-new'), false);
    });

    it('names the rule each field broke', async () => {
      const cases: [string, string, unknown, string][] = [
        ['POST', '/api/v1/users', { name: 'short-password', password: 'eleven char' }, 'body.password'],
        ['POST', '/api/v1/users', { name: 'has space' }, 'body.name'],
        ['POST', '/api/v1/users', { name: '' }, 'body.name'],
        ['POST', '/api/v1/users', { name: 'x'.repeat(101) }, 'body.name'],
        ['POST', '/api/v1/users', { name: 'ok', isAdmin: 'yes' }, 'body.isAdmin'],
        ['POST', '/api/v1/tokens', {}, 'body.name'],
        ['POST', '/api/v1/tokens', { name: 'x', expiresInDays: 0 }, 'body.expiresInDays'],
        ['POST', '/api/v1/tokens', { name: 'x', expiresInDays: 1.5 }, 'body.expiresInDays'],
        ['POST', '/api/v1/tokens', { name: 'x', expiresInDays: 3651 }, 'body.expiresInDays'],
        ['POST', `/api/v1/projects/${DEFAULT_PROJECT_ID}/service-accounts`, { name: 'bot', role: 'owner' }, 'body.role'],
        ['POST', '/api/v1/projects', { name: '../etc' }, 'body.name'],
        ['PUT', `/api/v1/projects/${DEFAULT_PROJECT_ID}/members/admin`, {}, 'body.role'],
        ['PUT', `/api/v1/projects/${DEFAULT_PROJECT_ID}/members/a%00b`, { role: 'viewer' }, 'params.userId'],
        ['DELETE', `/api/v1/projects/${DEFAULT_PROJECT_ID}/members/a%00b`, undefined, 'params.userId'],
        ['GET', '/api/v1/tokens?user=a%00b', undefined, 'query.user'],
        ['GET', '/api/v1/tokens?owner=me', undefined, 'query.owner'],
        ['POST', '/api/v1/auth/session', { name: 'admin\u0000', password: 'x' }, 'body.name'],
      ];
      for (const [method, path, body, field] of cases) {
        const answer = await api.request(method, path, body);
        assert.equal(answer.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(answer.body)}`);
        assert.deepEqual(answer.body.issues.map((i: { path: string }) => i.path), [field], `${method} ${path} ${JSON.stringify(body)}`);
      }
    });
  });
});
