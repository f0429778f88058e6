import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import Ajv from 'ajv';
import { TRIALS_QUEUE } from '@tuneforge/contracts';
import { loadCoordinatorConfig } from '../../../apps/coordinator/src/config/coordinator.config';
import { loadWorkerConfig } from '../../../apps/worker/src/worker.config';
import {
  allContainersOf,
  authModeOffViolations,
  credentialViolations,
  environmentOf,
  fromSecret,
  hasUrlCredentials,
  isSecretVariable,
  secretData,
  SECRET_VARIABLES,
  workloadsOf,
} from './support/environment';
import { tuneforgeDockerfile } from './support/images';
import { podSecurityViolations } from './support/pod-security';
import { externalSecrets, find, K8S_DIR, OVERLAYS, podSpecOf, podTemplateOf, renderOverlay, REPO_ROOT, RUN_TO_COMPLETION_KINDS, type K8sObject } from './support/render';
import { StrictFieldChecker } from './support/strict-fields';

const KEDA_SCHEMAS = JSON.parse(readFileSync(join(__dirname, 'schemas/keda-v1alpha1.schema.json'), 'utf8'));
const KEDA_KINDS = new Set(['ScaledObject', 'TriggerAuthentication']);
/** Metadata keys of KEDA's redis (list) scaler. */
const REDIS_SCALER_KEYS = new Set([
  'address', 'addressFromEnv', 'host', 'hostFromEnv', 'port', 'portFromEnv', 'username', 'usernameFromEnv', 'password', 'passwordFromEnv',
  'databaseIndex', 'enableTLS', 'unsafeSsl', 'listName', 'listLength', 'activationListLength',
]);
/** A stopping worker needs this long beyond WORKER_STOP_TIMEOUT_MS to record itself stopped and close its connections. */
const STOP_MARGIN_MS = 30_000;
/** The role workers connect as: the one worker-role.sql creates. */
const WORKER_ROLE = /CREATE ROLE (\w+)/.exec(readFileSync(join(K8S_DIR, 'components/worker-role/worker-role.sql'), 'utf8'))?.[1];
const INFRA_README = readFileSync(join(REPO_ROOT, 'infra/README.md'), 'utf8');

/** kubernetes-models' class for a built-in kind, e.g. apps/v1 Deployment. */
function modelClass(object: K8sObject): new (data: object) => { validate(): void } {
  const models = require(`kubernetes-models/${object.apiVersion}`);
  const model = models[object.kind];
  assert.ok(model, `kubernetes-models has no ${object.apiVersion} ${object.kind}`);
  return model;
}

function containersOf(object: K8sObject): { init: any[]; main: any[] } {
  const pod = podSpecOf(object);
  return { init: pod?.initContainers ?? [], main: pod?.containers ?? [] };
}

/**
 * kustomize wraps a generated Secret's base64 values at 70 columns; the API server's decoder skips
 * the line breaks, kubernetes-models' "byte" format does not, so they are joined before validation.
 */
function unwrapSecretData(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || !object.data) return object;
  return { ...object, data: Object.fromEntries(Object.entries(object.data).map(([key, value]) => [key, String(value).replace(/\s+/g, '')])) };
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** The names of the Secrets a workload or KEDA needs (an `optional` envFrom Secret is not needed). */
function referencedSecrets(objects: K8sObject[]): Set<string> {
  const names = new Set<string>();
  for (const workload of workloadsOf(objects)) {
    for (const container of allContainersOf(workload)) {
      for (const variable of container.env ?? []) if (variable.valueFrom?.secretKeyRef) names.add(variable.valueFrom.secretKeyRef.name);
      for (const source of container.envFrom ?? []) if (source.secretRef && !source.secretRef.optional) names.add(source.secretRef.name);
    }
    for (const volume of podSpecOf(workload)?.volumes ?? []) if (volume.secret) names.add(volume.secret.secretName);
  }
  for (const auth of objects.filter((o) => o.kind === 'TriggerAuthentication')) for (const ref of auth.spec.secretTargetRef ?? []) names.add(ref.name);
  return names;
}

for (const overlay of OVERLAYS) {
  describe(`kustomize overlay ${overlay}`, () => {
    let objects: K8sObject[];
    /** What the workloads see in the cluster: the rendered objects and the Secrets created beside them (externalSecrets). */
    let cluster: K8sObject[];
    let workloads: K8sObject[];
    let checker: StrictFieldChecker;

    before(() => {
      objects = renderOverlay(overlay);
      cluster = [...objects, ...externalSecrets(overlay)];
      workloads = workloadsOf(objects);
      const builtIn = objects.filter((object) => !KEDA_KINDS.has(object.kind)).map((object) => [object.apiVersion, object.kind] as const);
      checker = new StrictFieldChecker([...new Map(builtIn.map((pair) => [pair.join(' '), pair])).values()]);
    });

    it('renders the coordinator, migrations, GPU-or-CPU workers, autoscaling, budgets and policies', () => {
      const names = objects.map((object) => `${object.kind}/${object.metadata.name}`);
      for (const expected of [
        'Deployment/tuneforge-coordinator', 'Service/tuneforge-coordinator', 'Ingress/tuneforge', 'Deployment/tuneforge-worker',
        'PodDisruptionBudget/tuneforge-worker', 'ScaledObject/tuneforge-worker', 'TriggerAuthentication/tuneforge-redis',
        'NetworkPolicy/tuneforge-worker', 'NetworkPolicy/tuneforge-coordinator',
      ]) assert.ok(names.includes(expected), `${expected} is missing from ${names.join(', ')}`);
      assert.ok(names.some((name) => name.startsWith('ConfigMap/tuneforge-config-')), 'the ConfigMap is missing');
      const migrate = containersOf(find(objects, 'Deployment', 'tuneforge-coordinator')).init.find((c) => c.name === 'migrate');
      assert.ok(migrate, 'the coordinator has no migrate init container');
      if (overlay === 'dev') {
        for (const expected of ['StatefulSet/postgres', 'Service/postgres', 'Deployment/redis', 'Service/redis', 'Job/tuneforge-worker-role', 'Secret/tuneforge-connections']) {
          assert.ok(names.includes(expected), `${expected} is missing`);
        }
      } else assert.ok(!names.some((name) => /\/(postgres|redis)$/.test(name)), 'prod runs no in-cluster PostgreSQL or Redis');
    });

    it('validates every built-in object against the Kubernetes schemas (kubernetes-models) with no unknown field', () => {
      for (const object of objects.filter((o) => !KEDA_KINDS.has(o.kind))) {
        const Model = modelClass(object);
        assert.doesNotThrow(() => new Model(unwrapSecretData(object)).validate(), `${object.kind}/${object.metadata.name}`);
        assert.deepEqual(checker.unknownFields(object), [], `${object.kind}/${object.metadata.name} has fields Kubernetes does not define`);
      }
    });

    it("validates KEDA's objects against the ScaledObject and TriggerAuthentication schemas, unknown fields rejected", () => {
      const ajv = new Ajv({ allErrors: true, strict: true });
      ajv.addSchema(KEDA_SCHEMAS, 'keda');
      const keda = objects.filter((o) => KEDA_KINDS.has(o.kind));
      assert.equal(keda.length, 2);
      for (const object of keda) {
        const validate = ajv.getSchema(`keda#/definitions/${object.kind}`);
        assert.ok(validate, `the KEDA schemas define no ${object.kind}`);
        assert.ok(validate(object), `${object.kind}/${object.metadata.name}: ${ajv.errorsText(validate.errors)}`);
        assert.deepEqual(checker.unknownMetadataFields(object.metadata), []);
      }
    });

    it('gives every container resource requests and limits, and every long-running container readiness and liveness probes', () => {
      for (const workload of workloads) {
        const { init, main } = containersOf(workload);
        for (const container of [...init, ...main]) {
          const where = `${workload.kind}/${workload.metadata.name} container ${container.name}`;
          for (const resource of ['cpu', 'memory']) {
            assert.ok(container.resources?.requests?.[resource], `${where} requests no ${resource}`);
            assert.ok(container.resources?.limits?.[resource], `${where} has no ${resource} limit`);
          }
        }
        for (const container of RUN_TO_COMPLETION_KINDS.has(workload.kind) ? [] : main) {
          const where = `${workload.kind}/${workload.metadata.name} container ${container.name}`;
          assert.ok(container.readinessProbe, `${where} has no readiness probe`);
          assert.ok(container.livenessProbe, `${where} has no liveness probe`);
          for (const probe of [container.readinessProbe, container.livenessProbe, container.startupProbe].filter(Boolean)) {
            const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
            if (typeof port === 'string') assert.ok(container.ports?.some((p: any) => p.name === port), `${where} probes a port named ${port} it does not declare`);
          }
        }
      }
    });

    it('pins every image to a version (no latest, no untagged image)', () => {
      for (const workload of workloads) {
        const { init, main } = containersOf(workload);
        for (const { image, name } of [...init, ...main]) {
          const tag = /@sha256:[0-9a-f]{64}$/.test(image) ? 'digest' : image.slice(image.lastIndexOf('/') + 1).split(':')[1];
          assert.ok(tag, `${workload.metadata.name}/${name}: image ${image} has no tag`);
          assert.notEqual(tag, 'latest', `${workload.metadata.name}/${name}: image ${image} is latest`);
        }
      }
    });

    it('runs the entry points the images contain', () => {
      for (const workload of workloads) {
        for (const container of allContainersOf(workload)) {
          const entry = (container.command ?? []).find((arg: string) => arg.endsWith('.ts'));
          if (entry) assert.ok(existsSync(join(REPO_ROOT, entry)), `${workload.metadata.name}/${container.name} runs ${entry}, which does not exist`);
        }
      }
    });

    it('runs every pod of every workload non-root (its image’s numeric USER), under RuntimeDefault seccomp, without privileges, on a read-only root', () => {
      assert.ok(workloads.length >= 2);
      for (const workload of workloads) assert.ok(podTemplateOf(workload), `${workload.kind}/${workload.metadata.name} holds containers in a kind the checks do not know`);
      assert.deepEqual(workloads.flatMap((workload) => podSecurityViolations(workload, (container) => environmentOf(cluster, container))), []);
    });

    it('takes every credential from a Secret: the admin token, PostgreSQL and Redis URLs and passwords, never a literal or a ConfigMap', () => {
      assert.deepEqual(credentialViolations(objects), []);
      const coordinator = podSpecOf(find(objects, 'Deployment', 'tuneforge-coordinator')).containers.find((c: any) => c.name === 'coordinator');
      assert.ok(fromSecret(cluster, coordinator, 'TUNEFORGE_ADMIN_TOKEN'), 'the coordinator gets TUNEFORGE_ADMIN_TOKEN from a Secret');
      for (const workload of workloads) {
        for (const container of allContainersOf(workload)) {
          const env = environmentOf(cluster, container);
          for (const name of SECRET_VARIABLES.filter((n) => env[n] !== undefined)) {
            assert.ok(fromSecret(cluster, container, name), `${workload.kind}/${workload.metadata.name} container ${container.name}: ${name} is not from a Secret`);
          }
        }
      }
    });

    it('never turns authentication off (AUTH_MODE), and gives the coordinator and the workers an environment their config accepts', () => {
      assert.deepEqual(authModeOffViolations(cluster), []);
      const coordinator = podSpecOf(find(objects, 'Deployment', 'tuneforge-coordinator')).containers.find((c: any) => c.name === 'coordinator');
      const config = loadCoordinatorConfig(environmentOf(cluster, coordinator)); // throws naming a bad variable (say, a malformed admin token)
      assert.equal(config.auth.mode, 'on');
      assert.ok(config.auth.adminToken, 'the coordinator gets its first administrator’s token');
      loadWorkerConfig(environmentOf(cluster, podSpecOf(find(objects, 'Deployment', 'tuneforge-worker')).containers[0]));
    });

    it('connects workers as the least-privilege role of worker-role.sql, the coordinator and its migrations as another', () => {
      assert.ok(WORKER_ROLE, 'worker-role.sql creates a role');
      const userOf = (workload: K8sObject, container: string) =>
        decodeURIComponent(new URL(environmentOf(cluster, podSpecOf(workload)[container === 'migrate' ? 'initContainers' : 'containers'].find((c: any) => c.name === container)).DATABASE_URL).username);
      const coordinator = find(objects, 'Deployment', 'tuneforge-coordinator');
      assert.equal(userOf(find(objects, 'Deployment', 'tuneforge-worker'), 'worker'), WORKER_ROLE);
      assert.notEqual(userOf(coordinator, 'coordinator'), WORKER_ROLE);
      assert.equal(userOf(coordinator, 'migrate'), userOf(coordinator, 'coordinator'), 'the coordinator and its migrations connect as the owner');
      const job = objects.find((o) => o.kind === 'Job' && o.metadata.name === 'tuneforge-worker-role');
      if (job) {
        const [psql] = podSpecOf(job).containers;
        const env = environmentOf(cluster, psql);
        assert.match(psql.args.join('\n'), new RegExp(`ALTER ROLE ${WORKER_ROLE} PASSWORD`), 'the Job sets the password of the role the workers use');
        const workerUrl = new URL(environmentOf(cluster, podSpecOf(find(objects, 'Deployment', 'tuneforge-worker')).containers[0]).DATABASE_URL);
        assert.equal(env.WORKER_DATABASE_PASSWORD, decodeURIComponent(workerUrl.password), "the Job sets the password of the workers' URL");
        assert.ok(podSpecOf(job).volumes.some((v: any) => v.configMap?.name.startsWith('tuneforge-worker-role-sql-')), 'the Job runs worker-role.sql');
      }
    });

    it('generates only development placeholders, or leaves its Secrets to the cluster with their commands in infra/README.md', () => {
      const generated = objects.filter((o) => o.kind === 'Secret');
      const external = externalSecrets(overlay);
      if (overlay === 'prod') assert.deepEqual(generated.map((s) => s.metadata.name), [], 'prod generates no Secret: its Secrets are created in the cluster');
      const placeholder = (secrets: K8sObject[], marker: RegExp) => {
        for (const secret of secrets) {
          for (const [key, value] of Object.entries(secretData(secret))) {
            const credential = isSecretVariable(key) && !key.endsWith('_URL') ? value : hasUrlCredentials(value) ? new URL(value).password : undefined;
            if (credential !== undefined) assert.match(credential, marker, `Secret ${secret.metadata.name} key ${key} holds what looks like a real credential`);
          }
        }
      };
      placeholder(generated, /dev/);
      placeholder(external, /change-me/);
      for (const secret of external) {
        assert.ok(!generated.some((g) => g.metadata.name === secret.metadata.name), `Secret ${secret.metadata.name} is both generated and external`);
        assert.ok(new RegExp(`create secret generic ${secret.metadata.name}\\b`).test(INFRA_README), `infra/README.md does not say how to create Secret ${secret.metadata.name}`);
      }
      for (const name of referencedSecrets(objects)) {
        assert.ok(cluster.some((o) => o.kind === 'Secret' && o.metadata.name === name), `Secret ${name} is neither generated nor documented (${overlay}/${name}.env.example)`);
      }
    });

    it("gives the worker a grace period longer than its hand-back bound (WORKER_STOP_TIMEOUT_MS)", () => {
      const worker = find(objects, 'Deployment', 'tuneforge-worker');
      const pod = podSpecOf(worker);
      const env = environmentOf(cluster, pod.containers[0]);
      const stopTimeoutMs = Number(env.WORKER_STOP_TIMEOUT_MS);
      assert.ok(Number.isInteger(stopTimeoutMs) && stopTimeoutMs > 0, `WORKER_STOP_TIMEOUT_MS is '${env.WORKER_STOP_TIMEOUT_MS}'`);
      assert.ok(
        pod.terminationGracePeriodSeconds * 1000 >= stopTimeoutMs + STOP_MARGIN_MS,
        `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} s does not exceed WORKER_STOP_TIMEOUT_MS ${stopTimeoutMs} ms by ${STOP_MARGIN_MS / 1000} s`,
      );
      assert.ok(env.DATABASE_URL && env.REDIS_URL, 'the worker gets DATABASE_URL and REDIS_URL');
    });

    it(overlay === 'prod' ? 'puts workers on GPU nodes, one GPU each' : 'runs CPU workers without GPU requests', () => {
      const pod = podSpecOf(find(objects, 'Deployment', 'tuneforge-worker'));
      const [worker] = pod.containers;
      if (overlay === 'prod') {
        assert.equal(String(worker.resources.limits['nvidia.com/gpu']), '1');
        assert.equal(pod.nodeSelector?.['nvidia.com/gpu.present'], 'true');
        assert.ok(pod.tolerations?.some((t: any) => t.key === 'nvidia.com/gpu' && t.effect === 'NoSchedule'), 'no toleration for GPU nodes');
        assert.match(worker.image, /worker-gpu:/);
        // What a GPU pod trains with: auto (the CUDA engine once verified, else tfjs-node-gpu), never the CPU engine.
        assert.equal(environmentOf(cluster, worker).TRAIN_ENGINE, 'auto');
        assert.match(tuneforgeDockerfile(worker.image)?.text ?? '', /TF_BACKEND=tfjs-node-gpu[\s\S]*TRAIN_ENGINE=auto/);
      } else {
        assert.equal(worker.resources.limits['nvidia.com/gpu'], undefined);
        assert.deepEqual(pod.nodeSelector ?? {}, {});
        assert.match(worker.image, /worker-cpu:/);
        assert.equal(environmentOf(cluster, worker).TRAIN_ENGINE, 'native');
        assert.match(tuneforgeDockerfile(worker.image)?.text ?? '', /TRAIN_ENGINE=native/);
      }
    });

    it(overlay === 'prod' ? 'runs two coordinators spread over nodes, one kept through drains' : 'runs one coordinator', () => {
      const coordinator = find(objects, 'Deployment', 'tuneforge-coordinator');
      const labels = podTemplateOf(coordinator)?.metadata?.labels;
      const spread = podSpecOf(coordinator).topologySpreadConstraints ?? [];
      assert.ok(spread.some((c: any) => c.topologyKey === 'kubernetes.io/hostname' && matches(c.labelSelector.matchLabels, labels)), 'the replicas spread over nodes');
      const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget' && matches(o.spec.selector.matchLabels, labels));
      if (overlay === 'prod') {
        assert.equal(coordinator.spec.replicas, 2);
        assert.deepEqual(budgets.map((b) => b.spec.minAvailable), [1]);
      } else {
        assert.equal(coordinator.spec.replicas, 1);
      }
    });

    it('scales workers with KEDA on the trial queue: waiting plus active jobs per WORKER_CONCURRENCY, from zero', () => {
      const scaled = find(objects, 'ScaledObject', 'tuneforge-worker');
      const worker = find(objects, 'Deployment', 'tuneforge-worker');
      const env = environmentOf(cluster, podSpecOf(worker).containers[0]);
      assert.equal(scaled.spec.scaleTargetRef.name, worker.metadata.name);
      assert.equal(scaled.spec.minReplicaCount, 0);
      assert.ok(scaled.spec.maxReplicaCount >= 1);
      assert.equal(worker.spec.replicas, undefined, 'KEDA owns the worker replica count');
      const queue = `${env.QUEUE_PREFIX}:${TRIALS_QUEUE}`;
      const lists = Object.fromEntries(scaled.spec.triggers.map((t: any) => [t.name, t.metadata.listName]));
      assert.deepEqual(lists, { waiting: `${queue}:wait`, active: `${queue}:active` });
      assert.equal(scaled.spec.advanced.scalingModifiers.formula, 'waiting + active');
      const formulaNames = scaled.spec.advanced.scalingModifiers.formula.match(/[A-Za-z_]\w*/g);
      for (const name of formulaNames) assert.ok(name in lists, `the formula uses ${name}, which names no trigger`);
      assert.equal(scaled.spec.advanced.scalingModifiers.target, env.WORKER_CONCURRENCY, 'the target is the trials one worker trains at once');
      const auth = find(objects, 'TriggerAuthentication', 'tuneforge-redis');
      for (const trigger of scaled.spec.triggers) {
        assert.equal(trigger.type, 'redis');
        for (const key of Object.keys(trigger.metadata)) assert.ok(REDIS_SCALER_KEYS.has(key), `KEDA's redis scaler has no setting ${key}`);
        assert.equal(trigger.authenticationRef.name, auth.metadata.name);
      }
      const secret = find(cluster, 'Secret', 'tuneforge-connections');
      for (const ref of auth.spec.secretTargetRef) {
        assert.equal(ref.name, secret.metadata.name);
        assert.ok(ref.key in (secret.data ?? {}), `Secret ${secret.metadata.name} has no key ${ref.key} for ${ref.parameter}`);
      }
      const redisUrl = new URL(environmentOf(cluster, podSpecOf(worker).containers[0]).REDIS_URL);
      const address = Buffer.from(secret.data.REDIS_ADDRESS, 'base64').toString('utf8');
      assert.equal(address, `${redisUrl.hostname}:${redisUrl.port || 6379}`, "KEDA's address is REDIS_URL's host and port");
    });

    it('wires references: Secret and ConfigMap keys, Service, Ingress and budget selectors, named ports', () => {
      for (const workload of workloads) {
        for (const container of allContainersOf(workload)) environmentOf(cluster, container); // throws on a missing key
      }
      for (const service of objects.filter((o) => o.kind === 'Service')) {
        const targets = workloads.filter((w) => matches(service.spec.selector, podTemplateOf(w)?.metadata?.labels));
        assert.equal(targets.length, 1, `Service ${service.metadata.name} selects ${targets.length} workloads`);
        const ports = podSpecOf(targets[0]).containers.flatMap((c: any) => c.ports ?? []);
        for (const port of service.spec.ports) {
          if (typeof port.targetPort === 'string') assert.ok(ports.some((p: any) => p.name === port.targetPort), `Service ${service.metadata.name} targets port ${port.targetPort}`);
        }
      }
      for (const budget of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
        const selected = workloads.filter((w) => matches(budget.spec.selector.matchLabels, podTemplateOf(w)?.metadata?.labels));
        assert.equal(selected.length, 1, `PDB ${budget.metadata.name} selects ${selected.length} workloads`);
        // A budget that no eviction can satisfy blocks node drains for good.
        if (budget.spec.minAvailable !== undefined) {
          assert.ok((selected[0].spec.replicas ?? 1) > budget.spec.minAvailable, `PDB ${budget.metadata.name} allows no eviction`);
        }
      }
      const ingress = find(objects, 'Ingress', 'tuneforge');
      for (const path of ingress.spec.rules.flatMap((rule: any) => rule.http.paths)) {
        const service = find(objects, 'Service', path.backend.service.name);
        assert.ok(service.spec.ports.some((p: any) => p.name === path.backend.service.port.name), `Ingress points at a port ${path.backend.service.port.name} that Service lacks`);
      }
      const namespaces = new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace));
      assert.equal(namespaces.size, 1, `objects span namespaces ${[...namespaces].join(', ')}`);
      assert.ok(objects.some((o) => o.kind === 'Namespace' && o.metadata.name === [...namespaces][0]), 'the namespace is created');
    });

    it("lets workers reach PostgreSQL, Redis and DNS only, and only Prometheus' scrape of the health port reach them", () => {
      const policy = find(objects, 'NetworkPolicy', 'tuneforge-worker');
      const worker = find(objects, 'Deployment', 'tuneforge-worker');
      assert.ok(matches(policy.spec.podSelector.matchLabels, worker.spec.template.metadata.labels), 'the policy does not select the workers');
      assert.deepEqual(policy.spec.policyTypes, ['Ingress', 'Egress']);
      const health = podSpecOf(worker).containers[0].ports.find((p: any) => p.name === 'health');
      assert.deepEqual(policy.spec.ingress, [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } }],
          ports: [{ protocol: 'TCP', port: health.containerPort }],
        },
      ]);
      const ports = policy.spec.egress.flatMap((rule: any) => rule.ports.map((p: any) => `${p.protocol}/${p.port}`)).sort();
      assert.deepEqual(ports, ['TCP/53', 'TCP/5432', 'TCP/6379', 'UDP/53']);
      const dns = policy.spec.egress.find((rule: any) => rule.ports.some((p: any) => p.port === 53));
      assert.ok(dns.to?.length, 'DNS is allowed to the cluster DNS only');
      if (overlay === 'dev') {
        for (const rule of policy.spec.egress.filter((r: any) => r !== dns)) {
          const target = rule.to?.[0]?.podSelector?.matchLabels?.['app.kubernetes.io/name'];
          assert.ok(['postgres', 'redis'].includes(target), `dev egress goes to ${target ?? 'anywhere'}`);
        }
      }
    });
  });
}
