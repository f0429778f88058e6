import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ERROR_CODES, ErrorBodySchema, type ErrorCode, type SweepDto, type TrialDto } from '@tuneforge/contracts';
import { DEFAULT_PROJECT_ID, newSecret, sha256, Stores } from '@tuneforge/persistence';
import { adminFetch, dropTable, seedAccount } from '@tuneforge/testing';
import { createCoordinatorApp } from '../src/coordinator.app';
import { aSweepSpec } from './support/sweep-specs';
import { apiClient, startTestCoordinator, type ApiResponse, type TestCoordinator } from './support/test-coordinator';

/** Produced in health.spec.ts, which stops Redis and PostgreSQL under a coordinator. */
const CODES_OF_OUTAGES: ErrorCode[] = ['QUEUE_UNAVAILABLE', 'DATABASE_UNAVAILABLE'];
/**
 * Safety nets no request reaches: text PostgreSQL cannot store is refused first (unstorableValueIssues,
 * VALIDATION_FAILED), and a body cut short of its content-length is answered by Node's HTTP parser itself.
 */
const CODES_NO_REQUEST_REACHES: ErrorCode[] = ['UNSTORABLE_TEXT', 'BODY_UNREADABLE'];

const UNKNOWN_ID = '3f8e9a9e-8f5d-4c59-9d0a-1d9d2c7b0000';

describe('error codes', () => {
  let coordinator: TestCoordinator;
  let api: ReturnType<typeof apiClient>;
  const seen = new Set<ErrorCode>();

  /** Checks the answer is an error body with this code and the status ERROR_CODES gives it. */
  const assertCode = (answer: ApiResponse, code: ErrorCode) => {
    const body = ErrorBodySchema.parse(answer.body);
    assert.equal(body.code, code, body.message);
    assert.equal(answer.status, ERROR_CODES[code].status);
    assert.equal(body.statusCode, answer.status);
    seen.add(code);
    return body;
  };
  const send = async (method: string, path: string, body: string, headers: Record<string, string>): Promise<ApiResponse> => {
    const response = await adminFetch(coordinator.baseUrl + path, { method, body, headers });
    return { status: response.status, body: await response.json(), headers: response.headers };
  };

  before(async () => {
    coordinator = await startTestCoordinator('error_codes', { metricsToken: 'the-metrics-token-of-error-codes' });
    api = apiClient(coordinator.baseUrl);
  });
  after(() => coordinator.close());

  describe('requests the API refuses', () => {
    it('VALIDATION_FAILED names the field', async () => {
      const body = assertCode(await api.get('/api/v1/sweeps?limit=0'), 'VALIDATION_FAILED');
      assert.deepEqual(body.issues?.map((i) => i.path), ['query.limit']);
      assertCode(await api.post('/api/v1/sweeps', aSweepSpec({ name: '' })), 'VALIDATION_FAILED');
    });

    it('CURSOR_INVALID names query.after for a cursor that is not one, or one of another sweep or order', async () => {
      const sweep = await coordinator.client.createSweep({ body: aSweepSpec({ name: 'codes-cursor', budget: { maxTrials: 4, maxConcurrent: 4, maxEpochsPerTrial: 1 } }) });
      const { nextCursor } = await coordinator.client.listTrials({ id: sweep.id, query: { limit: 1 } });
      for (const path of [`/api/v1/sweeps/${sweep.id}/trials?after=not-a-cursor`, `/api/v1/sweeps/${sweep.id}/trials?sort=number&after=${nextCursor}`]) {
        const body = assertCode(await api.get(path), 'CURSOR_INVALID');
        assert.deepEqual(body.issues?.map((i) => i.path), ['query.after']);
      }
    });

    it('BODY_MALFORMED, BODY_TOO_DEEP, BODY_ENCODING_CORRUPT, UNSUPPORTED_ENCODING and BODY_TOO_LARGE for bodies that cannot be read', async () => {
      const json = { 'content-type': 'application/json' };
      assertCode(await send('POST', '/api/v1/sweeps', '{"name": ', json), 'BODY_MALFORMED');
      assertCode(await send('POST', '/api/v1/sweeps', '['.repeat(100) + ']'.repeat(100), json), 'BODY_TOO_DEEP');
      assertCode(await send('POST', '/api/v1/sweeps', 'this is not gzip', { ...json, 'content-encoding': 'gzip' }), 'BODY_ENCODING_CORRUPT');
      assertCode(await send('POST', '/api/v1/sweeps', '{}', { ...json, 'content-encoding': 'compress' }), 'UNSUPPORTED_ENCODING');
      assertCode(await api.post('/api/v1/sweeps', { ...aSweepSpec(), description: 'x'.repeat(2 * 1024 * 1024) }), 'BODY_TOO_LARGE');
    });

    it('REQUEST_REJECTED for an upload in a field other than `file`', async () => {
      const form = new FormData();
      form.append('data', new Blob(['a,b\n1,2\n'], { type: 'text/csv' }), 'x.csv');
      const response = await adminFetch(`${coordinator.baseUrl}/api/v1/datasets`, { method: 'POST', body: form });
      assertCode({ status: response.status, body: await response.json(), headers: response.headers }, 'REQUEST_REJECTED');
    });

    it('SWEEP_NOT_FOUND, TRIAL_NOT_FOUND, DATASET_NOT_FOUND and ROUTE_NOT_FOUND for what does not exist', async () => {
      assertCode(await api.get(`/api/v1/sweeps/${UNKNOWN_ID}`), 'SWEEP_NOT_FOUND');
      assertCode(await api.get(`/api/v1/sweeps/${UNKNOWN_ID}/curves`), 'SWEEP_NOT_FOUND');
      assertCode(await api.get(`/api/v1/trials/${UNKNOWN_ID}`), 'TRIAL_NOT_FOUND');
      assertCode(await api.get(`/api/v1/datasets/${UNKNOWN_ID}`), 'DATASET_NOT_FOUND');
      assertCode(await api.request('DELETE', `/api/v1/sweeps/${UNKNOWN_ID}`), 'SWEEP_NOT_FOUND');
      assertCode(await api.request('DELETE', `/api/v1/datasets/${UNKNOWN_ID}`), 'DATASET_NOT_FOUND');
      assertCode(await api.get('/api/v1/no-such-thing'), 'ROUTE_NOT_FOUND');
    });
  });

  describe('callers the API does not let through', () => {
    it('UNAUTHENTICATED without credentials, FORBIDDEN for a viewer who writes, CSRF_TOKEN_INVALID for a signed-in write without its token', async () => {
      const stores = coordinator.app.get(Stores);
      const unauthenticated = assertCode(await api.request('GET', '/api/v1/sweeps', undefined, { authorization: '' }), 'UNAUTHENTICATED');
      assert.match(unauthenticated.message, /Bearer/);
      // GET /metrics with METRICS_TOKEN set: the token, not an API token, lets a scrape in.
      const scrape = assertCode(await api.request('GET', '/metrics', undefined, { authorization: 'Bearer not-the-metrics-token' }), 'UNAUTHENTICATED');
      assert.match(scrape.message, /METRICS_TOKEN/);
      const viewer = await seedAccount(stores, { name: 'codes-viewer', roles: [{ projectId: DEFAULT_PROJECT_ID, role: 'viewer' }] });
      assertCode(await api.post('/api/v1/sweeps', aSweepSpec(), { authorization: `Bearer ${viewer.token}` }), 'FORBIDDEN');
      const signIn = await fetch(`${coordinator.baseUrl}/api/v1/auth/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: viewer.token }) });
      const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
      assertCode(await api.post('/api/v1/sweeps', aSweepSpec(), { authorization: '', cookie }), 'CSRF_TOKEN_INVALID');
    });

    it('PROJECT_NOT_FOUND for a project the caller is not in, PROJECT_REQUIRED when several could be meant', async () => {
      const stores = coordinator.app.get(Stores);
      const second = await stores.accounts.createProject('codes-second');
      const editor = await seedAccount(stores, { name: 'codes-editor', roles: [DEFAULT_PROJECT_ID, second.id].map((projectId) => ({ projectId, role: 'editor' as const })) });
      const asEditor = { authorization: `Bearer ${editor.token}` };
      assertCode(await api.post('/api/v1/sweeps?project=no-such-project', aSweepSpec(), asEditor), 'PROJECT_NOT_FOUND');
      const required = assertCode(await api.post('/api/v1/sweeps', aSweepSpec(), asEditor), 'PROJECT_REQUIRED');
      assert.match(required.message, /'codes-second', 'default'|'default', 'codes-second'/);
    });
  });

  describe('signing in', () => {
    it('TOO_MANY_SIGN_INS after 5 failed sign-ins for a name, with Retry-After', async () => {
      const signIn = () => api.post('/api/v1/auth/session', { name: 'codes-locked', password: 'guess' }, { authorization: '' });
      for (let i = 0; i < 5; i++) assertCode(await signIn(), 'UNAUTHENTICATED');
      const limited = await signIn();
      assertCode(limited, 'TOO_MANY_SIGN_INS');
      assert.ok(Number(limited.headers.get('retry-after')) > 0);
    });

    it('OIDC_NOT_CONFIGURED without OIDC_ISSUER; OIDC_STATE_INVALID, OIDC_SIGN_IN_FAILED and OIDC_PROVIDER_UNAVAILABLE with a provider that does not answer', async () => {
      assertCode(await api.get('/api/v1/auth/oidc/login'), 'OIDC_NOT_CONFIGURED');
      // A second coordinator on the same database, whose provider is not there (a real one answers in sso-api.spec.ts).
      const redirectUrl = 'http://127.0.0.1:9/api/v1/auth/oidc/callback';
      const sso = await createCoordinatorApp({
        ...coordinator.config,
        oidc: { issuer: 'http://127.0.0.1:1', clientId: 'c', clientSecret: 's', redirectUrl, name: 'IdP', scopes: 'openid', groupsClaim: 'groups', groupRoles: [] },
      });
      await sso.listen(0, '127.0.0.1');
      try {
        const ssoApi = apiClient(`http://127.0.0.1:${(sso.getHttpServer().address() as AddressInfo).port}`);
        assertCode(await ssoApi.get('/api/v1/auth/oidc/callback?state=forged&code=c'), 'OIDC_STATE_INVALID');
        // A sign-on this browser started, which the provider refused.
        const [state, browser] = [newSecret(), newSecret()];
        await coordinator.app.get(Stores).oidcLogins.start({ stateSha256: sha256(state), browserSha256: sha256(browser), nonce: 'n', returnTo: '/', expiresAt: new Date(Date.now() + 60_000) });
        const refused = await ssoApi.request('GET', `/api/v1/auth/oidc/callback?state=${state}&error=access_denied`, undefined, { cookie: `tf_oidc=${browser}` });
        assert.match(assertCode(refused, 'OIDC_SIGN_IN_FAILED').message, /access_denied/);
        assertCode(await ssoApi.get('/api/v1/auth/oidc/login'), 'OIDC_PROVIDER_UNAVAILABLE');
      } finally {
        await sso.close();
      }
    });
  });

  describe('webhook requests the API refuses', () => {
    const webhook = { url: 'https://hooks.example.com/codes', events: ['sweep.completed'] };

    it('WEBHOOK_TARGET_REFUSED for a loopback or private target, WEBHOOK_NOT_FOUND for a webhook that does not exist', async () => {
      const refused = assertCode(await api.post(`/api/v1/projects/${DEFAULT_PROJECT_ID}/webhooks`, { ...webhook, url: 'http://169.254.169.254/latest/meta-data' }), 'WEBHOOK_TARGET_REFUSED');
      assert.match(refused.message, /169\.254\.169\.254 is a loopback, private, link-local or reserved address/);
      assertCode(await api.request('DELETE', `/api/v1/webhooks/${UNKNOWN_ID}`), 'WEBHOOK_NOT_FOUND');
      assertCode(await api.get(`/api/v1/webhooks/${UNKNOWN_ID}/deliveries`), 'WEBHOOK_NOT_FOUND');
    });

    it('WEBHOOKS_NOT_CONFIGURED on a coordinator without WEBHOOK_SECRETS_KEY', async () => {
      const keyless = await createCoordinatorApp({ ...coordinator.config, webhooks: { ...coordinator.config.webhooks, secretsKey: undefined } });
      await keyless.listen(0, '127.0.0.1');
      try {
        const keylessApi = apiClient(`http://127.0.0.1:${(keyless.getHttpServer().address() as AddressInfo).port}`);
        assert.match(assertCode(await keylessApi.post(`/api/v1/projects/${DEFAULT_PROJECT_ID}/webhooks`, webhook), 'WEBHOOKS_NOT_CONFIGURED').message, /WEBHOOK_SECRETS_KEY/);
        assert.equal((await keylessApi.get(`/api/v1/projects/${DEFAULT_PROJECT_ID}/webhooks`)).status, 200, 'the rest of the API works');
      } finally {
        await keyless.close();
      }
    });
  });

  describe('account requests the API refuses', () => {
    it('TOKEN_NOT_FOUND, USER_NOT_FOUND and MEMBER_NOT_FOUND for tokens, users and memberships that do not exist', async () => {
      assertCode(await api.request('DELETE', `/api/v1/tokens/${UNKNOWN_ID}`), 'TOKEN_NOT_FOUND');
      assertCode(await api.request('PUT', `/api/v1/projects/${DEFAULT_PROJECT_ID}/members/no-such-user`, { role: 'viewer' }), 'USER_NOT_FOUND');
      await seedAccount(coordinator.app.get(Stores), { name: 'codes-outsider' });
      assertCode(await api.request('DELETE', `/api/v1/projects/${DEFAULT_PROJECT_ID}/members/codes-outsider`), 'MEMBER_NOT_FOUND');
    });

    it('USER_EXISTS, PROJECT_EXISTS and LAST_PROJECT_ADMIN for names taken and the last admin', async () => {
      assertCode(await api.post('/api/v1/users', { name: 'admin' }), 'USER_EXISTS');
      assertCode(await api.post(`/api/v1/projects/${DEFAULT_PROJECT_ID}/service-accounts`, { name: 'admin', role: 'viewer' }), 'USER_EXISTS');
      assertCode(await api.post('/api/v1/projects', { name: 'default' }), 'PROJECT_EXISTS');
      assert.match(assertCode(await api.request('DELETE', `/api/v1/projects/${DEFAULT_PROJECT_ID}/members/admin`), 'LAST_PROJECT_ADMIN').message, /last admin/);
      assertCode(await api.request('PUT', `/api/v1/projects/${DEFAULT_PROJECT_ID}/members/admin`, { role: 'editor' }), 'LAST_PROJECT_ADMIN');
    });
  });

  describe('requests the state of a sweep refuses', () => {
    let sweep: SweepDto;
    let trial: TrialDto;

    before(async () => {
      sweep = await coordinator.client.createSweep({ body: aSweepSpec({ name: 'refusals' }), headers: { 'idempotency-key': 'refusals-1' } });
      trial = (await coordinator.client.listTrials({ id: sweep.id })).items[0];
    });

    it('CHECKPOINT_NOT_FOUND for a trial without checkpoints', async () => {
      assertCode(await api.get(`/api/v1/trials/${trial.id}/checkpoints/latest`), 'CHECKPOINT_NOT_FOUND');
      assertCode(await api.get(`/api/v1/trials/${trial.id}/checkpoints/3`), 'CHECKPOINT_NOT_FOUND');
      assert.match(assertCode(await api.get(`/api/v1/trials/${trial.id}/checkpoints/best`), 'CHECKPOINT_NOT_FOUND').message, /best-epoch checkpoint/);
    });

    it('MODEL_NOT_READY for the model of a trial that has not ended, or of a sweep without one', async () => {
      assert.match(assertCode(await api.get(`/api/v1/trials/${trial.id}/model`), 'MODEL_NOT_READY').message, /it is queued; a model is exported once the trial has ended/);
      assert.match(assertCode(await api.get(`/api/v1/sweeps/${sweep.id}/best-model`), 'MODEL_NOT_READY').message, /has no model yet/);
    });

    it('IDEMPOTENCY_KEY_REUSED for a key used for another spec', async () => {
      const answer = await api.post('/api/v1/sweeps', aSweepSpec({ name: 'refusals-other' }), { 'idempotency-key': 'refusals-1' });
      assert.match(assertCode(answer, 'IDEMPOTENCY_KEY_REUSED').message, /already used for a different sweep spec/);
    });

    it('SWEEP_NOT_PAUSED, BUDGET_BELOW_CREATED and SWEEP_ACTIVE while running', async () => {
      assertCode(await api.post(`/api/v1/sweeps/${sweep.id}/resume`), 'SWEEP_NOT_PAUSED');
      assert.match(assertCode(await api.request('DELETE', `/api/v1/sweeps/${sweep.id}`), 'SWEEP_ACTIVE').message, /cancel it before deleting it/);
      const patch = await api.request('PATCH', `/api/v1/sweeps/${sweep.id}`, { maxTrials: 1 });
      assert.match(assertCode(patch, 'BUDGET_BELOW_CREATED').message, /below the 4 trials/);
    });

    it('SWEEP_NOT_RUNNING, SWEEP_BUDGET_FROZEN and SWEEP_ALREADY_ENDED once cancelled', async () => {
      assert.equal((await api.post(`/api/v1/sweeps/${sweep.id}/cancel`)).status, 200);
      assertCode(await api.post(`/api/v1/sweeps/${sweep.id}/pause`), 'SWEEP_NOT_RUNNING');
      assertCode(await api.request('PATCH', `/api/v1/sweeps/${sweep.id}`, { maxTrials: 30 }), 'SWEEP_BUDGET_FROZEN');
      assertCode(await api.post(`/api/v1/sweeps/${sweep.id}/cancel`), 'SWEEP_ALREADY_ENDED');
    });
  });

  it('SWEEP_IN_USE and DATASET_IN_USE for a delete of what a live sweep uses', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `2024-01-01T00:${String(i).padStart(2, '0')}:00Z,${i % 7}`).join('\n');
    const dataset = await coordinator.client.uploadDataset({ body: `time,y\n${rows}\n`, query: { name: 'in-use' } });
    const source = await coordinator.client.createSweep({ body: aSweepSpec({ name: 'warm-source' }) });
    await coordinator.client.cancelSweep({ id: source.id });
    const live = await coordinator.client.createSweep({
      body: aSweepSpec({ name: 'uses-both', algorithm: { type: 'tpe' }, warmStartFrom: source.id, dataset: { source: 'upload', id: dataset.id, target: 'y', window: 7, horizon: 1 } }),
    });
    assert.match(assertCode(await api.request('DELETE', `/api/v1/sweeps/${source.id}`), 'SWEEP_IN_USE').message, new RegExp(live.id));
    assert.match(assertCode(await api.request('DELETE', `/api/v1/datasets/${dataset.id}`), 'DATASET_IN_USE').message, new RegExp(live.id));
  });

  it('INTERNAL_ERROR, without details, when the database is not what the code expects', async () => {
    await dropTable(coordinator.app.get(Stores), 'datasets');
    assert.equal(assertCode(await api.get('/api/v1/datasets'), 'INTERNAL_ERROR').message, 'internal error');
  });

  it('lists every code in the README with its status', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    for (const [code, { status }] of Object.entries(ERROR_CODES)) assert.ok(readme.includes(`| \`${code}\` | ${status} |`), code);
  });

  it('produces every code in ERROR_CODES', () => {
    const missing = Object.keys(ERROR_CODES).filter((code) => !seen.has(code as ErrorCode) && ![...CODES_OF_OUTAGES, ...CODES_NO_REQUEST_REACHES].includes(code as ErrorCode));
    assert.deepEqual(missing, []);
  });
});
