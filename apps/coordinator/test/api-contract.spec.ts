import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Ajv from 'ajv';
import { ApiError, createApiClient, UnreachableError, type TuneforgeClient } from '@tuneforge/api-client';
import { API_ROUTES, type ApiRoute, type ApiRouteName, type SweepDto, type TrialDto } from '@tuneforge/contracts';
import { encodeCheckpointContainer } from '@tuneforge/formats';
import { DEFAULT_PROJECT_ID, Stores } from '@tuneforge/persistence';
import { adminFetch, aParsedSweepSpec, seedRun, seedSweep, seedWorker, TEST_ADMIN_TOKEN } from '@tuneforge/testing';
import { API_PREFIX } from '../src/openapi';
import { aSweepSpec } from './support/sweep-specs';
import { startTestCoordinator, type TestCoordinator } from './support/test-coordinator';

interface Operation {
  operationId?: string;
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string; type?: string } }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

const EPOCHS = 4;

/**
 * OpenAPI 3.0's schema dialect in the draft-07 form Ajv reads: boolean exclusiveMinimum/-Maximum become
 * numbers, and `nullable` without a `type` becomes `anyOf` with null (Ajv knows `nullable` beside a type).
 */
function asDraft7(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asDraft7);
  if (typeof value !== 'object' || value === null) return value;
  const schema: Record<string, unknown> = Object.fromEntries(Object.entries(value).map(([key, v]) => [key, asDraft7(v)]));
  for (const [exclusive, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (schema[exclusive] === true) [schema[exclusive], schema[bound]] = [schema[bound], undefined];
  }
  if (schema.nullable === true && schema.type === undefined) return { anyOf: [{ ...schema, nullable: undefined }, { type: 'null' }] };
  return schema;
}
const SPEC = aSweepSpec({ name: 'contract', model: 'simulated', budget: { maxTrials: 3, maxConcurrent: 3, maxEpochsPerTrial: EPOCHS } });

describe('API contract: the OpenAPI document and the answers of a running coordinator', () => {
  let coordinator: TestCoordinator;
  let sut: TuneforgeClient;
  let document: Document;
  const ajv = new Ajv({ strict: false, allErrors: true });

  before(async () => {
    coordinator = await startTestCoordinator('api_contract');
    sut = coordinator.client;
    document = (await (await adminFetch(`${coordinator.baseUrl}/api/docs-json`)).json()) as Document;
    ajv.addSchema({ components: asDraft7(document.components) }, 'openapi');
  });
  after(() => coordinator.close());

  describe('the document', () => {
    const operations = () => Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));

    it('has every route of API_ROUTES, and no operation outside it', () => {
      const documented = operations().map(({ operation }) => operation.operationId);
      assert.deepEqual([...documented].sort(), Object.keys(API_ROUTES).sort());
    });

    it('gives every answer of every operation a schema that resolves', () => {
      for (const { path, method, operation } of operations()) {
        const statuses = Object.keys(operation.responses);
        assert.ok(statuses.some((status) => status.startsWith('2') || status === '302'), `${method} ${path} documents a success`);
        for (const status of statuses) {
          const content = Object.values(operation.responses[status].content ?? {});
          if (status === '204' || status === '302') {
            assert.equal(content.length, 0, `${method} ${path} ${status} has no body`);
            continue;
          }
          assert.ok(content.length > 0 && content.every((c) => c.schema), `${method} ${path} ${status} has a schema`);
          for (const { schema } of content) {
            if (schema?.$ref) assert.ok(document.components.schemas[schema.$ref.replace('#/components/schemas/', '')], `${schema.$ref} is a component`);
          }
        }
      }
    });

    it('lists each query schema field as a query parameter', () => {
      for (const [name, route] of Object.entries(API_ROUTES) as [ApiRouteName, ApiRoute][]) {
        if (!route.query) continue;
        const operation = document.paths[API_PREFIX + route.path.replace(/:(\w+)/g, '{$1}')][route.method.toLowerCase()];
        const parameters = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        assert.deepEqual(parameters.sort(), Object.keys(route.query.shape).sort(), name);
      }
    });
  });

  describe('the answers', () => {
    let sweep: SweepDto;
    /** A sweep no test finishes, for pause, resume, PATCH and cancel. */
    let live: SweepDto;
    let trials: TrialDto[];
    /** A trial with a model to export, and its sweep. */
    let exported: { sweepId: string; trialId: string };

    /**
     * Fetches a route's raw JSON; checks the zod schema keeps it whole (no field it does not know), and
     * that it validates against the document's JSON Schema, which is what a generated client would check.
     */
    const assertWhole = async (name: ApiRouteName, path: string) => {
      const raw = await (await adminFetch(`${coordinator.baseUrl}${API_PREFIX}${path}`)).json();
      const route: ApiRoute = API_ROUTES[name];
      assert.ok(route.response !== 'binary' && route.response !== 'none' && route.response !== 'redirect');
      assert.deepEqual(route.response.parse(raw), raw, `${name} answers only what its schema describes`);
      const operation = document.paths[API_PREFIX + route.path.replace(/:(\w+)/g, '{$1}')][route.method.toLowerCase()];
      const validate = ajv.getSchema(`openapi${operation.responses['200'].content?.['application/json'].schema?.$ref}`);
      assert.ok(validate, `${name} has a component schema`);
      assert.ok(validate(raw), `${name}: ${ajv.errorsText(validate.errors)}`);
    };

    before(async () => {
      sweep = await sut.createSweep({ body: SPEC, headers: { 'idempotency-key': 'contract-1' } });
      trials = (await sut.listTrials({ id: sweep.id, query: { sort: 'number' } })).items;
      live = await sut.createSweep({ body: aSweepSpec({ name: 'contract-live', model: 'simulated' }) });
      const stores = coordinator.app.get(Stores);
      const checkpoint = encodeCheckpointContainer(
        { modelTopology: { class_name: 'Sequential', config: { layers: [] } }, weightSpecs: [{ name: 'dense/kernel', shape: [2], dtype: 'float32' }], weightData: new Float32Array([1, 2]).buffer },
        { epoch: EPOCHS, seed: 1, bestMetric: null },
      );
      for (const trial of trials) {
        const points = Array.from({ length: EPOCHS }, (_, i) => [
          { epoch: i + 1, name: 'val_loss', value: 1 / (i + 2 + trial.number) },
          { epoch: i + 1, name: 'param_count', value: 100 * (trial.number + 1) },
        ]).flat();
        await seedRun(stores, trial, {
          points,
          // Trial 0's last epoch is checkpointed, and is its best (its weights are served as latest and as best).
          checkpoint: trial.number === 0 ? { epoch: EPOCHS, format: 'tfjs-layers+adam/v1', bytes: checkpoint, bestEpoch: EPOCHS } : undefined,
          end: { status: 'completed', bestMetric: 1 / (EPOCHS + 1 + trial.number), lastEpoch: EPOCHS },
        });
      }
      // An LSTM sweep's trial that ended with a model to export (its preprocessing and best epoch's checkpoint).
      const exporting = await seedSweep(stores, { spec: aParsedSweepSpec({ name: 'contract-export' }), trials: 1 });
      exported = { sweepId: exporting.sweep.id, trialId: exporting.trials[0].id };
      await seedRun(stores, exporting.trials[0], {
        checkpoint: { epoch: EPOCHS, format: 'tfjs-layers+adam/v1', bytes: checkpoint, bestMetric: 0.5, bestEpoch: EPOCHS },
        end: { status: 'completed', bestMetric: 0.5, lastEpoch: EPOCHS, preprocessing: { task: 'text', window: 3, vocabulary: ['a', 'b'] }, testMetrics: { test_loss: 0.6, test_bpc: 0.87 } },
      });
      await seedWorker(stores, { id: 'worker-contract' });
    });

    it('parses every JSON answer with its schema, through the shared client', async () => {
      const dataset = await sut.uploadDataset({ body: `date,sales\n${Array.from({ length: 20 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')},${i}`).join('\n')}\n`, query: { name: 'contract' } });
      let webhook = { id: '' };
      const answers: Record<Exclude<ApiRouteName, 'events' | 'latestWeights' | 'bestWeights' | 'checkpointBytes' | 'trialModelWeights' | 'sweepBestModelWeights' | 'deleteSweep' | 'deleteDataset' | 'signOut' | 'revokeToken' | 'removeMember' | 'oidcLogin' | 'oidcCallback' | 'deleteWebhook'>, () => Promise<unknown>> = {
        createSweep: () => sut.createSweep({ body: SPEC, headers: { 'idempotency-key': 'contract-1' } }),
        listSweeps: () => sut.listSweeps({ query: { limit: 5 } }),
        getSweep: () => sut.getSweep({ id: sweep.id }),
        updateSweep: () => sut.updateSweep({ id: live.id, body: { maxConcurrent: 2 } }),
        listTrials: () => sut.listTrials({ id: sweep.id, query: { sort: 'objective', limit: 2 } }),
        pareto: () => sut.pareto({ id: sweep.id }),
        pauseSweep: () => sut.pauseSweep({ id: live.id }),
        resumeSweep: () => sut.resumeSweep({ id: live.id }),
        sweepCurves: () => sut.sweepCurves({ id: sweep.id, query: { top: 2, points: 3 } }),
        trialPoints: () => sut.trialPoints({ id: sweep.id }),
        sweepImportance: () => sut.sweepImportance({ id: sweep.id }),
        getTrial: () => sut.getTrial({ id: trials[0].id }),
        trialMetrics: () => sut.trialMetrics({ id: trials[0].id, query: { names: 'val_loss' } }),
        listCheckpoints: () => sut.listCheckpoints({ id: trials[0].id }),
        latestModel: () => sut.latestModel({ id: trials[0].id }),
        latestModelJson: () => sut.latestModelJson({ id: trials[0].id }),
        bestModel: () => sut.bestModel({ id: trials[0].id }),
        bestModelJson: () => sut.bestModelJson({ id: trials[0].id }),
        trialModel: () => sut.trialModel({ id: exported.trialId }),
        sweepBestModel: () => sut.sweepBestModel({ id: exported.sweepId }),
        uploadDataset: async () => dataset,
        listDatasets: () => sut.listDatasets(),
        getDataset: () => sut.getDataset({ id: dataset.id }),
        listWorkers: () => sut.listWorkers({ query: { all: 'true' } }),
        health: () => sut.health(),
        liveness: () => sut.liveness(),
        cancelSweep: () => sut.cancelSweep({ id: live.id }),
        signIn: () => sut.signIn({ body: { token: TEST_ADMIN_TOKEN } }),
        me: () => sut.me(),
        createToken: () => sut.createToken({ body: { name: 'contract', expiresInDays: 1 } }),
        listTokens: () => sut.listTokens(),
        createUser: () => sut.createUser({ body: { name: 'contract-user', password: 'a long enough password' } }),
        listUsers: () => sut.listUsers(),
        listProjects: () => sut.listProjects(),
        createProject: () => sut.createProject({ body: { name: 'contract-project' } }),
        listMembers: () => sut.listMembers({ id: DEFAULT_PROJECT_ID }),
        setMember: () => sut.setMember({ id: DEFAULT_PROJECT_ID, userId: 'contract-user', body: { role: 'viewer' } }),
        createServiceAccount: () => sut.createServiceAccount({ id: DEFAULT_PROJECT_ID, body: { name: 'contract-ci', role: 'editor' } }),
        authProviders: () => sut.authProviders(),
        listAudit: () => sut.listAudit({ query: { limit: 5 } }),
        createWebhook: async () => (webhook = await sut.createWebhook({ id: DEFAULT_PROJECT_ID, body: { url: 'https://hooks.example.com/services/T0/B0/secret', events: ['sweep.completed'], format: 'slack' } })),
        listWebhooks: () => sut.listWebhooks({ id: DEFAULT_PROJECT_ID }),
        listWebhookDeliveries: () => sut.listWebhookDeliveries({ id: webhook.id, query: { limit: 5 } }),
      };
      for (const [name, answer] of Object.entries(answers)) assert.ok(await answer(), `${name} answers`);
      // The deletes answer 204 without a body (the live sweep was cancelled above).
      assert.equal(await sut.deleteSweep({ id: live.id }), undefined);
      assert.equal(await sut.deleteDataset({ id: dataset.id }), undefined);
      assert.equal(await sut.revokeToken({ id: (await sut.createToken({ body: { name: 'contract-revoked' } })).id }), undefined);
      assert.equal(await sut.removeMember({ id: DEFAULT_PROJECT_ID, userId: 'contract-user' }), undefined);
      assert.equal(await sut.deleteWebhook({ id: webhook.id }), undefined);
      // The administrator now belongs to two projects (it created one), so it names the sweep's.
      assert.equal((await sut.createSweep({ body: SPEC, query: { project: 'default' }, headers: { 'idempotency-key': 'contract-1' } })).id, sweep.id, 'the idempotent answer is the first sweep');
      assert.equal((await sut.pareto({ id: sweep.id })).trialsCompared, trials.length);
      assert.deepEqual((await sut.listWorkers({ query: { all: 'true' } })).items.map((w) => w.id), ['worker-contract']);
    });

    it('answers only fields its schemas describe', async () => {
      await assertWhole('getSweep', `/sweeps/${sweep.id}`);
      await assertWhole('listSweeps', '/sweeps');
      await assertWhole('listTrials', `/sweeps/${sweep.id}/trials`);
      await assertWhole('getTrial', `/trials/${trials[0].id}`);
      await assertWhole('trialMetrics', `/trials/${trials[0].id}/metrics`);
      await assertWhole('pareto', `/sweeps/${sweep.id}/pareto`);
      await assertWhole('sweepCurves', `/sweeps/${sweep.id}/curves`);
      await assertWhole('trialPoints', `/sweeps/${sweep.id}/trial-points`);
      await assertWhole('listCheckpoints', `/trials/${trials[0].id}/checkpoints`);
      await assertWhole('trialModel', `/trials/${exported.trialId}/model`);
      await assertWhole('sweepBestModel', `/sweeps/${exported.sweepId}/best-model`);
      await assertWhole('listDatasets', '/datasets');
      await assertWhole('listWorkers', '/workers?all=true');
      await assertWhole('health', '/health');
      await assertWhole('liveness', '/health/live');
      await assertWhole('me', '/me');
      await assertWhole('listTokens', '/tokens');
      await assertWhole('listUsers', '/users');
      await assertWhole('listProjects', '/projects');
      await assertWhole('listMembers', `/projects/${DEFAULT_PROJECT_ID}/members`);
      await assertWhole('authProviders', '/auth/providers');
      await assertWhole('listAudit', '/audit');
      await assertWhole('listWebhooks', `/projects/${DEFAULT_PROJECT_ID}/webhooks`);
    });

    it('throws a refusal as an ApiError with its code and issues, and no answer as an UnreachableError', async () => {
      await assert.rejects(sut.getSweep({ id: '3f8e9a9e-8f5d-4c59-9d0a-1d9d2c7b0000' }), (error) => error instanceof ApiError && error.status === 404 && error.code === 'SWEEP_NOT_FOUND');
      await assert.rejects(
        sut.listSweeps({ query: { limit: 0 } }),
        (error) => error instanceof ApiError && error.code === 'VALIDATION_FAILED' && error.issues[0].path === 'query.limit' && /^GET \/sweeps\?limit=0 failed with 400: /.test(error.message),
      );
      await assert.rejects(createApiClient({ baseUrl: 'http://127.0.0.1:1/api/v1' }).liveness(), (error) => error instanceof UnreachableError && /^cannot reach the coordinator at http:\/\/127.0.0.1:1\/api\/v1 /.test(error.message));
    });

    it('returns the bytes of binary answers', async () => {
      const weights = await sut.latestWeights({ id: trials[0].id });
      assert.deepEqual([...new Float32Array(weights)], [1, 2]);
      assert.deepEqual([...new Float32Array(await sut.bestWeights({ id: trials[0].id }))], [1, 2]);
      assert.equal((await sut.checkpointBytes({ id: trials[0].id, epoch: String(EPOCHS) })).byteLength, (await sut.listCheckpoints({ id: trials[0].id }))[0].sizeBytes);
      assert.deepEqual([...new Float32Array(await sut.trialModelWeights({ id: exported.trialId }))], [1, 2]);
      assert.deepEqual([...new Float32Array(await sut.sweepBestModelWeights({ id: exported.sweepId, query: { trial: exported.trialId } }))], [1, 2]);
    });
  });
});
