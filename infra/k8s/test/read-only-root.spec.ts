import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { SweepDto } from '@tuneforge/contracts';
import { dropDatabase } from '@tuneforge/persistence';
import { aSweepSpec, freePort, TEST_DATABASE_SERVER_URL, waitFor } from '@tuneforge/testing';
import { TEST_REDIS_URL, TrialQueue } from '../../../apps/worker/test/support/worker-services';
import { environmentOf } from './support/environment';
import { tuneforgeImageCommand, tuneforgeImageEnv } from './support/images';
import { ReadOnlyRootProcess, readOnlyRootUnsupported } from './support/read-only-root';
import { externalSecrets, find, podSpecOf, renderOverlay, REPO_ROOT, type K8sObject } from './support/render';

const UNSUPPORTED = readOnlyRootUnsupported();

// The containers of the dev overlay's coordinator and worker pods, run as their pod runs them: as its
// runAsUser and runAsGroup, the root file system read-only, only their emptyDirs writable (fresh, mode
// 0777, as the kubelet makes them), with the environment of their ConfigMap and Secrets. The images'
// /app is this repository; PostgreSQL, Redis and the queue are the test's own.
describe('the pods on a read-only root file system (emulated in a mount namespace)', { skip: UNSUPPORTED }, () => {
  const url = `${TEST_DATABASE_SERVER_URL}/tf_test_k8s_read_only_${randomBytes(4).toString('hex')}`;
  const started: ReadOnlyRootProcess[] = [];
  let queue: TrialQueue | undefined;
  after(async () => {
    await Promise.all(started.map((p) => p.stop()));
    await queue?.close();
    await dropDatabase(url);
  });

  /** A container of the workload as its pod runs it, with the services swapped for the test's (`overrides`). */
  const runAsInPod = (cluster: K8sObject[], workload: K8sObject, name: string, overrides: Record<string, string>) => {
    const pod = podSpecOf(workload);
    const container = [...(pod.initContainers ?? []), ...pod.containers].find((c: any) => c.name === name);
    const emptyDirs = (container.volumeMounts ?? []).filter((m: any) => pod.volumes.find((v: any) => v.name === m.name)?.emptyDir).map((m: any) => m.mountPath);
    // The CPU worker image's tfjs-node is not installed here: the worker takes the backend that loads.
    const { TF_BACKEND: _notHere, ...imageEnv } = tuneforgeImageEnv(container.image);
    const process = new ReadOnlyRootProcess(container.command ?? tuneforgeImageCommand(container.image), {
      uid: container.securityContext?.runAsUser ?? pod.securityContext.runAsUser,
      gid: container.securityContext?.runAsGroup ?? pod.securityContext.runAsGroup,
      emptyDirs,
      // HOME: the node images' user `node` (uid 1000) has /home/node, read-only like the rest.
      env: { HOME: '/home/node', ...imageEnv, ...environmentOf(cluster, container), ...overrides },
      cwd: REPO_ROOT,
    });
    started.push(process);
    return process;
  };

  it("migrates, serves the API and trains a trial with the migrate, coordinator and worker containers' settings", async () => {
    const objects = renderOverlay('dev');
    const cluster = [...objects, ...externalSecrets('dev')];
    const coordinator = find(objects, 'Deployment', 'tuneforge-coordinator');
    queue = new TrialQueue('k8s-read-only');
    const services = { DATABASE_URL: url, REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: queue.prefix };

    const migrate = runAsInPod(cluster, coordinator, 'migrate', services);
    assert.equal(await migrate.exit(), 0, migrate.output);
    assert.match(migrate.output, /^applied /m);

    const port = await freePort();
    const api = runAsInPod(cluster, coordinator, 'coordinator', { ...services, PORT: String(port), HOST: '127.0.0.1', DISPATCH_INTERVAL_MS: '500' });
    const healthPort = await freePort();
    const worker = runAsInPod(cluster, find(objects, 'Deployment', 'tuneforge-worker'), 'worker', { ...services, WORKER_HEALTH_PORT: String(healthPort) });
    const answers = async (what: string, process: ReadOnlyRootProcess, probe: string) =>
      waitFor(what, async () => {
        if (!process.running) throw new Error(`it exited:\n${process.output}`);
        return (await fetch(probe).catch(() => undefined))?.status === 200;
      });
    await answers('the coordinator is healthy', api, `http://127.0.0.1:${port}/api/v1/health`);
    await answers('the worker is ready', worker, `http://127.0.0.1:${healthPort}/readyz`);

    const base = `http://127.0.0.1:${port}/api/v1`;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${environmentOf(cluster, podSpecOf(coordinator).containers[0]).TUNEFORGE_ADMIN_TOKEN}` };
    const spec = aSweepSpec({
      name: 'read-only-root',
      searchSpace: { hiddenUnits: { type: 'int', min: 8, max: 12 }, learningRate: { type: 'float', min: 0.002, max: 0.01, log: true } },
      budget: { maxTrials: 1, maxConcurrent: 1, maxEpochsPerTrial: 2 },
      checkpointEvery: 1,
    });
    const created = await fetch(`${base}/sweeps`, { method: 'POST', headers, body: JSON.stringify(spec) });
    assert.equal(created.status, 201, await created.clone().text());
    const sweep = (await created.json()) as SweepDto;
    await waitFor('the sweep completes', async () => {
      if (!worker.running) throw new Error(`the worker exited:\n${worker.output}`);
      const answer = (await (await fetch(`${base}/sweeps/${sweep.id}`, { headers })).json()) as SweepDto;
      return answer.status === 'completed';
    }, 120_000);
    assert.equal((await fetch(`${base}/sweeps/${sweep.id}/best-model`, { headers })).status, 200);
    for (const process of [migrate, api, worker]) assert.doesNotMatch(process.output, /read-only file system|EROFS|EACCES/i, process.output);
  });
});
