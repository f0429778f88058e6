import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import IORedis from 'ioredis';
import { startTestCoordinator, TEST_REDIS_URL, type TestCoordinator } from '../../../apps/coordinator/test/support/test-coordinator';
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

describe("the manifests' HTTP probes hit real endpoints", () => {
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
      coordinator = await startTestCoordinator('k8s-probes');
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
  });
});
