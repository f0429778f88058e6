import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_ROUTES, type AccessRule, type ApiRoute, type ApiRouteName } from '@tuneforge/contracts';
import { encodeCheckpointContainer } from '@tuneforge/formats';
import { DEFAULT_PROJECT_ID, newApiToken, Stores } from '@tuneforge/persistence';
import { adminFetch, aParsedSweepSpec, seedAccount, seedRun, seedSweep, seedWorker } from '@tuneforge/testing';
import { API_PREFIX } from '../src/openapi';
import { aCsv } from './support/datasets';
import { aSweepSpec } from './support/sweep-specs';
import { startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

/**
 * The access rules, checked on every operation of the coordinator's OpenAPI document: the cases come from
 * the document and API_ROUTES (a new route is walked as soon as it exists), the expected outcome from the
 * table below by the route's access rule. Project A holds the seeded resources; the callers are people
 * without valid credentials, a viewer of A, and an admin of another project B.
 */

const UNKNOWN_ID = '3f8e9a9e-8f5d-4c59-9d0a-1d9d2c7b0000';
const EPOCH = 4;

type Caller = 'no token' | 'malformed token' | 'unknown token' | 'expired token' | 'revoked token' | 'viewer of the project' | 'member of another project';
const UNAUTHENTICATED: Caller[] = ['no token', 'malformed token', 'unknown token', 'expired token', 'revoked token'];

/**
 * What a caller gets: `ok` (2xx), a refusal, or `as unknown` (the 404 the same caller gets for an id, or
 * `?project=`, that does not exist: a resource of a project the caller is not in is indistinguishable from none).
 */
type Outcome = 'ok' | 'as unknown' | { status: 401 | 403; code: string };
const UNAUTHORIZED = { status: 401, code: 'UNAUTHENTICATED' } as const;
const FORBIDDEN = { status: 403, code: 'FORBIDDEN' } as const;

/** The expected outcome by the route's access rule, for each caller. */
function expected(rule: AccessRule, caller: Caller, namesResourceOfA: boolean): Outcome {
  if (rule === 'public') return 'ok';
  if (UNAUTHENTICATED.includes(caller)) return UNAUTHORIZED;
  const viewer = caller === 'viewer of the project';
  if (rule === 'signed-in') return viewer || !namesResourceOfA ? 'ok' : 'as unknown';
  if (rule === 'deployment-admin') return FORBIDDEN;
  if (!viewer) return 'as unknown';
  return rule.role === 'viewer' ? 'ok' : FORBIDDEN;
}

interface Operation {
  operationId: string;
}
interface Case {
  name: ApiRouteName;
  route: ApiRoute;
  /** `POST /api/v1/sweeps/{id}/pause` as the document has it. */
  label: string;
  method: string;
  /** The path with A's ids (and A's `?project=` for creating routes), and with an unknown one instead. */
  path: string;
  unknownPath: string;
  /** Whether the path names something of A's (an `{id}`, or `?project=`): another project's member must not tell it from nothing. */
  namesResourceOfA: boolean;
}

interface Answer {
  status: number;
  code?: string;
  text: string;
}

describe('access rules on every route of the OpenAPI document', () => {
  let coordinator: TestCoordinator;
  let cases: Case[];
  const tokens = {} as Record<Caller, string | undefined>;
  /** Project A's resources, by what a path names. */
  const a = { projectId: DEFAULT_PROJECT_ID, sweepId: '', trialId: '', runningTrialId: '', datasetId: '', viewerId: '', spareTokenId: '', webhookId: '' };
  /** Every id of project A and its people: none may appear in what another project's member is answered. */
  let idsOfA: string[] = [];
  let sweepOfB = '';

  /** The seeded value of each path parameter, by parameter and (for `id`) by the path's first segment. */
  const ID_BY_RESOURCE: Record<string, () => string> = {
    sweeps: () => a.sweepId,
    trials: () => a.trialId,
    datasets: () => a.datasetId,
    projects: () => a.projectId,
    tokens: () => a.spareTokenId,
    webhooks: () => a.webhookId,
  };
  const PARAMETERS: Record<string, (resource: string) => string> = {
    id: (resource) => {
      const id = ID_BY_RESOURCE[resource];
      if (!id) throw new Error(`no seeded ${resource} for {id}: add one to ID_BY_RESOURCE`);
      return id();
    },
    epoch: () => String(EPOCH),
    userId: () => a.viewerId,
  };
  /** A valid body of each route that takes one (a route added with a body and no sample here fails the walk). */
  const BODIES: Partial<Record<ApiRouteName, () => { body: string; contentType: string }>> = {
    createSweep: () => json(aSweepSpec({ name: 'access' })),
    uploadDataset: () => ({ body: aCsv(40), contentType: 'text/csv' }),
    updateSweep: () => json({ maxTrials: 21 }),
    signIn: () => json({ token: tokens['viewer of the project'] }),
    createToken: () => json({ name: 'access-walk' }),
    createUser: () => json({ name: 'access-new-user', password: 'a long enough password' }),
    createServiceAccount: () => json({ name: 'access-bot', role: 'viewer' }),
    createProject: () => json({ name: 'access-new-project' }),
    setMember: () => json({ role: 'viewer' }),
    createWebhook: () => json({ url: 'https://hooks.example.com/access', events: ['sweep.completed'] }),
  };
  const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });

  const send = async (one: Case, path: string, token: string | undefined): Promise<Answer> => {
    const sample = BODIES[one.name]?.();
    if ((one.route.body || one.route.text) && !sample) throw new Error(`${one.label} takes a body: add a valid one to BODIES`);
    const controller = new AbortController();
    const response = await fetch(coordinator.baseUrl + path, {
      method: one.method,
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(sample ? { 'content-type': sample.contentType } : {}) },
      body: sample?.body,
      signal: controller.signal,
      redirect: 'manual',
    });
    if (one.route.stream && response.ok) {
      controller.abort();
      return { status: response.status, text: '' };
    }
    const text = one.route.response === 'binary' && response.ok ? '' : await response.text();
    const code = response.headers.get('content-type')?.startsWith('application/json') && !response.ok ? (JSON.parse(text) as { code?: string }).code : undefined;
    return { status: response.status, code, text };
  };

  before(async () => {
    coordinator = await startTestCoordinator('access_rules');
    const stores = coordinator.app.get(Stores);
    const projectB = await stores.accounts.createProject('access-b');

    const checkpoint = encodeCheckpointContainer(
      { modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightSpecs: [{ name: 'dense/kernel', shape: [2], dtype: 'float32' }], weightData: new Float32Array([1, 2]).buffer },
      { epoch: EPOCH, seed: 1, bestMetric: null },
    );
    const seeded = await seedSweep(stores, { spec: aParsedSweepSpec({ name: 'access-a' }), trials: 2 });
    a.sweepId = seeded.sweep.id;
    a.trialId = seeded.trials[0].id;
    a.runningTrialId = seeded.trials[1].id;
    await seedRun(stores, seeded.trials[0], {
      points: [{ epoch: EPOCH, name: 'val_loss', value: 0.5 }],
      checkpoint: { epoch: EPOCH, format: 'tfjs-layers+adam/v1', bytes: checkpoint, bestMetric: 0.5, bestEpoch: EPOCH },
      end: { status: 'completed', bestMetric: 0.5, lastEpoch: EPOCH, preprocessing: { task: 'text', window: 3, vocabulary: ['a', 'b'] }, testMetrics: { test_loss: 0.6, test_bpc: 0.87 } },
    });
    await seedRun(stores, seeded.trials[1]);
    await seedWorker(stores, { id: 'seed-worker', runningTrialIds: [a.runningTrialId] });
    a.datasetId = (await coordinator.client.uploadDataset({ body: aCsv(40), query: { name: 'access-a', project: DEFAULT_PROJECT_ID } })).id;
    sweepOfB = (await seedSweep(stores, { spec: aParsedSweepSpec({ name: 'access-b' }), projectId: projectB.id })).sweep.id;
    a.webhookId = (await coordinator.client.createWebhook({ id: a.projectId, body: { url: 'https://hooks.example.com/a', events: ['sweep.failed'] } })).id;

    const viewer = await seedAccount(stores, { name: 'access-viewer', roles: [{ projectId: a.projectId, role: 'viewer' }] });
    a.viewerId = viewer.userId;
    // A second token of the viewer's, for DELETE /tokens/:id (the viewer may revoke it; no one else may see it).
    const spare = newApiToken();
    a.spareTokenId = (await stores.accounts.insertToken({ userId: viewer.userId, name: 'spare', prefix: spare.prefix, secretSha256: spare.secretSha256, expiresAt: null })).id;
    const outsider = await seedAccount(stores, { name: 'access-outsider', roles: [{ projectId: projectB.id, role: 'admin' }] });
    const expired = await seedAccount(stores, { name: 'access-expired', isAdmin: true, expiresAt: new Date(Date.now() - 1_000) });
    const revoked = await seedAccount(stores, { name: 'access-revoked', isAdmin: true });
    await stores.accounts.revokeToken(revoked.tokenId);
    Object.assign(tokens, {
      'no token': undefined,
      'malformed token': 'not-a-token',
      'unknown token': `tf_${'u'.repeat(10)}_${'U'.repeat(43)}`,
      'expired token': expired.token,
      'revoked token': revoked.token,
      'viewer of the project': viewer.token,
      'member of another project': outsider.token,
    });
    idsOfA = [a.projectId, a.sweepId, a.trialId, a.runningTrialId, a.datasetId, a.viewerId, a.spareTokenId, viewer.tokenId, a.webhookId];

    const document = (await (await adminFetch(`${coordinator.baseUrl}/api/docs-json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    cases = Object.entries(document.paths).flatMap(([documented, methods]) =>
      Object.entries(methods).map(([method, operation]) => {
        const name = operation.operationId as ApiRouteName;
        const route: ApiRoute = API_ROUTES[name];
        assert.ok(route, `${method} ${documented} (${name}) is in API_ROUTES`);
        const resource = documented.slice(API_PREFIX.length).split('/')[1];
        const fill = (id: string | undefined) =>
          documented.replace(/\{(\w+)\}/g, (_match, parameter: string) => {
            const value = PARAMETERS[parameter];
            if (!value) throw new Error(`no seeded value for {${parameter}} of ${name}: add one to PARAMETERS`);
            return parameter === 'id' && id ? id : value(resource);
          });
        const creates = typeof route.access === 'object' && route.access.of === 'new';
        return {
          name,
          route,
          label: `${method.toUpperCase()} ${documented}`,
          method: method.toUpperCase(),
          path: fill(undefined) + (creates ? `?project=${a.projectId}` : ''),
          unknownPath: fill(UNKNOWN_ID) + (creates ? `?project=${UNKNOWN_ID}` : ''),
          namesResourceOfA: documented.includes('{id}') || creates,
        };
      }),
    );
  });
  after(() => coordinator.close());

  it('walks every route of API_ROUTES', () => {
    assert.deepEqual(cases.map((c) => c.name).sort(), Object.keys(API_ROUTES).sort());
  });

  it("gives no write to a project's viewers", () => {
    const viewerWrites = cases.filter((c) => c.method !== 'GET' && typeof c.route.access === 'object' && c.route.access.role === 'viewer').map((c) => c.label);
    assert.deepEqual(viewerWrites, []);
  });

  for (const caller of [...UNAUTHENTICATED, 'viewer of the project', 'member of another project'] as Caller[]) {
    it(`${caller}: every route answers as its access rule says`, async () => {
      const wrong: string[] = [];
      for (const one of cases) {
        const outcome = expected(one.route.access, caller, one.namesResourceOfA);
        const answer = await send(one, one.path, tokens[caller]);
        let want: Exclude<Outcome, 'as unknown'> | Answer;
        if (outcome === 'as unknown') {
          want = await send(one, one.unknownPath, tokens[caller]);
          assert.equal(want.status, 404, `${one.label} answers an unknown id 404 (${want.code})`);
        } else want = outcome;
        const matches = want === 'ok' ? isLetThrough(one, answer) : answer.status === want.status && answer.code === want.code;
        if (!matches) wrong.push(`${one.label} (${JSON.stringify(one.route.access)}): expected ${want === 'ok' ? '2xx' : `${want.status} ${want.code}`}, got ${answer.status} ${answer.code ?? answer.text.slice(0, 200)}`);
      }
      assert.deepEqual(wrong, []);
    });
  }

  it("shows a member of another project nothing of the project's in any list, and shows its viewer the project's", async () => {
    const lists = cases.filter((c) => c.method === 'GET' && c.route.access === 'signed-in' && !c.path.includes('/', 1 + API_PREFIX.length));
    assert.ok(lists.length >= 6, `the lists: ${lists.map((c) => c.label).join(', ')}`);
    const read = async (one: Case, caller: Caller): Promise<string> => (one.route.stream ? readStream(one.path, tokens[caller]) : (await send(one, one.path, tokens[caller])).text);
    for (const one of lists) {
      const [outsider, viewer] = await Promise.all([read(one, 'member of another project'), read(one, 'viewer of the project')]);
      assert.deepEqual(idsOfA.filter((id) => outsider.includes(id)), [], `${one.label} shows another project's member none of A's ids: ${outsider.slice(0, 500)}`);
      assert.ok(idsOfA.some((id) => viewer.includes(id)), `${one.label} shows A's viewer something of A (else the check above proves nothing): ${viewer.slice(0, 500)}`);
    }
    const listSweeps = cases.find((c) => c.name === 'listSweeps') as Case;
    assert.ok((await send(listSweeps, '/api/v1/sweeps', tokens['member of another project'])).text.includes(sweepOfB), "the member sees its own project's sweeps");
    // The event stream of one sweep: another project's is as unknown as none.
    const events = cases.find((c) => c.name === 'events') as Case;
    const [outsider, unknown] = await Promise.all([send(events, `/api/v1/events?sweep=${a.sweepId}`, tokens['member of another project']), send(events, `/api/v1/events?sweep=${UNKNOWN_ID}`, tokens['member of another project'])]);
    assert.deepEqual([outsider.status, outsider.code], [unknown.status, unknown.code]);
    assert.deepEqual([outsider.status, outsider.code], [404, 'SWEEP_NOT_FOUND']);
  });

  /**
   * `ok`: a 2xx; for a redirect of the browser's (single sign-on, public), that the guard let it through: its own
   * answer (here its refusal, with no provider configured and no sign-on under way), neither 401 nor 403.
   */
  function isLetThrough(one: Case, answer: Answer): boolean {
    if (one.route.response === 'redirect') return answer.status !== 401 && answer.status !== 403;
    return answer.status >= 200 && answer.status < 300;
  }

  /** An event stream's text for a while, with a change to A's sweep meanwhile (a `sweep` event for members of A). */
  async function readStream(path: string, token: string | undefined): Promise<string> {
    const controller = new AbortController();
    const response = await fetch(coordinator.baseUrl + path, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: controller.signal });
    assert.equal(response.status, 200);
    let text = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
      } catch {
        // aborted below
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 600));
    await coordinator.client.updateSweep({ id: a.sweepId, body: { maxTrials: 20 + Math.floor(Math.random() * 1000) } });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    controller.abort();
    await reading;
    return text;
  }
});
