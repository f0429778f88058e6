import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import IORedis from 'ioredis';
import { startTestCoordinator, TEST_REDIS_URL, type TestCoordinator } from '../../../apps/coordinator/test/support/test-coordinator';
import { scrapeMetrics } from '@tuneforge/testing';
import { WorkerHealthServer } from '../../../apps/worker/src/health-server';
import { configMapData, find, OVERLAYS, podSpecOf, renderOverlay, type K8sObject } from './support/render';

interface HttpProbe {
  overlay: string;
  container: any;
  kind: string;
  path: string;
  port: string | number;
}

function httpProbes(overlay: string, workload: K8sObject): HttpProbe[] {
  return podSpecOf(workload).containers.flatMap((container: any) =>
    (['startupProbe', 'readinessProbe', 'livenessProbe'] as const)
      .filter((kind) => container[kind]?.httpGet)
      .map((kind) => ({ overlay, container, kind, path: container[kind].httpGet.path, port: container[kind].httpGet.port })),
  );
}

function containerPort(container: any, port: string | number): number {
  return typeof port === 'number' ? port : container.ports.find((p: any) => p.name === port).containerPort;
}

/** The token the test's servers require: what a scrape that follows the annotations must send. */
const METRICS_TOKEN = 'k8s-probes-metrics-token-0123456789';

/** The path and port (a number) the pod template's prometheus.io annotations name. */
function scrapeTarget(workload: K8sObject): { path: string; port: number } {
  const annotations = workload.spec.template.metadata.annotations ?? {};
  assert.equal(annotations['prometheus.io/scrape'], 'true', `${workload.metadata.name} is not marked for scraping`);
  return { path: annotations['prometheus.io/path'], port: Number(annotations['prometheus.io/port']) };
}

describe("the manifests' HTTP probes and scrape annotations hit real endpoints", () => {
  const rendered = OVERLAYS.map((overlay) => ({ overlay, objects: renderOverlay(overlay) }));
  /** The tuneforge-config ConfigMap of one rendered overlay. */
  const configOf = (overlay: string) => {
    const found = rendered.find((r) => r.overlay === overlay);
    if (!found) throw new Error(`overlay ${overlay} was not rendered`);
    return configMapData(found.objects, 'tuneforge-config');
  };

  describe('coordinator (in process, real PostgreSQL and Redis)', () => {
    let coordinator: TestCoordinator;
    before(async () => {
      coordinator = await startTestCoordinator('k8s-probes', { metricsToken: METRICS_TOKEN });
    });
    after(() => coordinator?.close());

    it('answers 200 on every probe path of every overlay, on the port the container declares', async () => {
      const probes = rendered.flatMap(({ overlay, objects }) => httpProbes(overlay, find(objects, 'Deployment', 'tuneforge-coordinator')));
      assert.deepEqual([...new Set(probes.map((p) => p.kind))].sort(), ['livenessProbe', 'readinessProbe']);
      for (const probe of probes) {
        const env = configOf(probe.overlay);
        assert.equal(containerPort(probe.container, probe.port), Number(env.PORT), `${probe.overlay} ${probe.kind} probes the port the coordinator listens on`);
        const response = await fetch(`${coordinator.baseUrl}${probe.path}`);
        assert.equal(response.status, 200, `${probe.overlay} ${probe.kind} GET ${probe.path}`);
      }
    });

    it('answers Prometheus text at the scrape annotations of every overlay, with the bearer token only', async () => {
      for (const { overlay, objects } of rendered) {
        const { path, port } = scrapeTarget(find(objects, 'Deployment', 'tuneforge-coordinator'));
        assert.equal(port, Number(configOf(overlay).PORT), `${overlay}: the coordinator is scraped on PORT`);
        const metrics = await scrapeMetrics(`${coordinator.baseUrl}${path}`, METRICS_TOKEN);
        assert.ok(metrics.families.has('tuneforge_http_requests_total'), `${overlay} GET ${path}`);
        assert.equal((await fetch(`${coordinator.baseUrl}${path}`)).status, 401);
      }
    });
  });

  describe('worker health server (real PostgreSQL and Redis)', () => {
    let health: WorkerHealthServer;
    let postgres: Client;
    let redis: IORedis;
    before(async () => {
      postgres = new Client({ connectionString: process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
      await postgres.connect();
      redis = new IORedis(TEST_REDIS_URL);
      health = await WorkerHealthServer.start(
        { postgres: () => postgres.query('SELECT 1'), redis: () => redis.ping(), processorRunning: () => true },
        0,
        '127.0.0.1',
        { text: async () => '# HELP tuneforge_worker_slots slots\n# TYPE tuneforge_worker_slots gauge\ntuneforge_worker_slots 1\n', contentType: 'text/plain; version=0.0.4; charset=utf-8', token: METRICS_TOKEN },
      );
    });
    after(async () => {
      await health?.close();
      await postgres?.end();
      redis?.disconnect();
    });

    it('answers 200 on every probe path of every overlay, on WORKER_HEALTH_PORT', async () => {
      const probes = rendered.flatMap(({ overlay, objects }) => httpProbes(overlay, find(objects, 'Deployment', 'tuneforge-worker')));
      assert.deepEqual([...new Set(probes.map((p) => p.kind))].sort(), ['livenessProbe', 'readinessProbe', 'startupProbe']);
      for (const probe of probes) {
        const env = configOf(probe.overlay);
        assert.equal(containerPort(probe.container, probe.port), Number(env.WORKER_HEALTH_PORT), `${probe.overlay} ${probe.kind} probes WORKER_HEALTH_PORT`);
        const response = await fetch(`http://127.0.0.1:${health.port}${probe.path}`);
        assert.equal(response.status, 200, `${probe.overlay} ${probe.kind} GET ${probe.path}: ${await response.text()}`);
      }
    });

    it('answers Prometheus text at the scrape annotations of every overlay, on WORKER_HEALTH_PORT, with the bearer token only', async () => {
      for (const { overlay, objects } of rendered) {
        const { path, port } = scrapeTarget(find(objects, 'Deployment', 'tuneforge-worker'));
        assert.equal(port, Number(configOf(overlay).WORKER_HEALTH_PORT), `${overlay}: workers are scraped on WORKER_HEALTH_PORT`);
        assert.equal((await scrapeMetrics(`http://127.0.0.1:${health.port}${path}`, METRICS_TOKEN)).value('tuneforge_worker_slots'), 1);
        assert.equal((await fetch(`http://127.0.0.1:${health.port}${path}`)).status, 401);
      }
    });
  });
});
