import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { environmentOf } from './support/environment';
import { externalSecrets, find, K8S_DIR, kubectlPath, OVERLAYS, podSpecOf, podTemplateOf, type K8sObject } from './support/render';

const COMPONENT = join(K8S_DIR, 'components/prometheus-operator');

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** An overlay with the component added, as a user adds it: a kustomization of its own that names both. */
function renderWithComponent(dir: string, overlay: string): K8sObject[] {
  const at = mkdtempSync(join(dir, `${overlay}-`));
  writeFileSync(
    join(at, 'kustomization.yaml'),
    `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${relative(at, join(K8S_DIR, 'overlays', overlay))}\ncomponents:\n  - ${relative(at, COMPONENT)}\n`,
  );
  const yaml = execFileSync(kubectlPath(), ['kustomize', at], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(yaml).map((document) => document.toJS() as K8sObject);
}

describe('the optional prometheus-operator component', () => {
  // Beside the overlays, so that kustomize's relative paths stay inside the repository's folders.
  const dir = mkdtempSync(join(tmpdir(), 'tf-k8s-monitors-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const overlay of OVERLAYS) {
    it(`${overlay}: monitors the coordinators' Service and the worker pods on the ports they name, with the token the apps require`, () => {
      const objects = renderWithComponent(dir, overlay);
      const cluster = [...objects, ...externalSecrets(overlay)];
      const service = find(objects, 'Service', 'tuneforge-coordinator');
      const coordinator = find(objects, 'Deployment', 'tuneforge-coordinator');
      const worker = find(objects, 'Deployment', 'tuneforge-worker');

      const serviceMonitor = find(objects, 'ServiceMonitor', 'tuneforge-coordinator');
      assert.equal(serviceMonitor.apiVersion, 'monitoring.coreos.com/v1');
      assert.ok(matches(serviceMonitor.spec.selector.matchLabels, service.metadata.labels), 'the ServiceMonitor selects the Service');
      const [endpoint] = serviceMonitor.spec.endpoints;
      const servicePort = service.spec.ports.find((p: any) => p.name === endpoint.port);
      assert.ok(servicePort, `the Service has no port ${endpoint.port}`);
      const coordinatorContainer = podSpecOf(coordinator).containers.find((c: any) => c.name === 'coordinator');
      const target = coordinatorContainer.ports.find((p: any) => p.name === servicePort.targetPort);
      assert.equal(String(target.containerPort), podTemplateOf(coordinator)?.metadata?.annotations?.['prometheus.io/port'], 'the Service port reaches the scraped port');

      const podMonitor = find(objects, 'PodMonitor', 'tuneforge-worker');
      assert.ok(matches(podMonitor.spec.selector.matchLabels, podTemplateOf(worker)?.metadata?.labels), 'the PodMonitor selects the workers');
      const [podEndpoint] = podMonitor.spec.podMetricsEndpoints;
      const workerContainer = podSpecOf(worker).containers[0];
      assert.ok(workerContainer.ports.some((p: any) => p.name === podEndpoint.port), `the worker declares no port ${podEndpoint.port}`);

      for (const [monitor, scraped, container] of [[endpoint, coordinator, coordinatorContainer], [podEndpoint, worker, workerContainer]] as const) {
        assert.equal(monitor.path, podTemplateOf(scraped)?.metadata?.annotations?.['prometheus.io/path']);
        assert.equal(monitor.authorization.type, 'Bearer');
        const ref = container.env.find((e: any) => e.name === 'METRICS_TOKEN').valueFrom.secretKeyRef;
        assert.deepEqual(monitor.authorization.credentials, ref, 'the monitor sends the Secret key the app reads METRICS_TOKEN from');
        assert.ok(environmentOf(cluster, container).METRICS_TOKEN, 'the Secret has the key');
      }
    });
  }
});
