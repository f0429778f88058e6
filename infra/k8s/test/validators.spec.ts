import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { authModeOffViolations, credentialViolations, workloadsOf } from './support/environment';
import { podSecurityViolations } from './support/pod-security';
import type { K8sObject } from './support/render';
import { StrictFieldChecker } from './support/strict-fields';

/** A pod spec that keeps every rule of the security check: a Tuneforge image, its /tmp emptyDir and @swc/core's cache there. */
const restrictedPod = () => ({
  securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
  containers: [
    {
      name: 'app',
      image: 'registry.example.com/tuneforge/coordinator:1.0.0',
      env: [
        { name: 'SWC_NATIVE_BINDING_CACHE', value: '/tmp/swc-native' },
        { name: 'SWC_NATIVE_BINDING_CACHE_SKIP_SECURITY_CHECK', value: '1' },
      ],
      securityContext: { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    },
  ],
  volumes: [{ name: 'tmp', emptyDir: {} }],
});
const cronJob = (pod: object): K8sObject => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'nightly' },
  spec: { schedule: '0 3 * * *', jobTemplate: { spec: { template: { spec: pod } } } },
});

// The manifests' checks are only as good as their validators: each must reject what a cluster would.
describe('manifest validators', () => {
  it('StrictFieldChecker names fields Kubernetes does not define, at any depth, and accepts maps and known fields', () => {
    const checker = new StrictFieldChecker([['apps/v1', 'Deployment']]);
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'w', labels: { 'any/key': 'v' }, annotation: { typo: 'x' } },
      spec: {
        selector: { matchLabels: { app: 'w' } },
        template: {
          metadata: { labels: { app: 'w' } },
          spec: {
            terminationGracePeriod: 30,
            containers: [
              {
                name: 'w',
                image: 'w:1',
                resources: { limits: { cpu: '1', 'nvidia.com/gpu': 1 } },
                readinessProbe: { httpGet: { path: '/readyz', port: 'health', paths: ['/'] } },
                env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
              },
            ],
          },
        },
      },
    };
    assert.deepEqual(checker.unknownFields(deployment), [
      'metadata.annotation',
      'spec.template.spec.terminationGracePeriod',
      'spec.template.spec.containers[0].readinessProbe.httpGet.paths',
    ]);
  });

  it("KEDA's ScaledObject schema rejects unknown fields, missing required ones and non-string trigger metadata", () => {
    const ajv = new Ajv({ allErrors: true, strict: true });
    ajv.addSchema(JSON.parse(readFileSync(join(__dirname, 'schemas/keda-v1alpha1.schema.json'), 'utf8')), 'keda');
    const validate = ajv.getSchema('keda#/definitions/ScaledObject');
    assert.ok(validate, 'the KEDA schemas define no ScaledObject');
    const valid = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: 'w' },
      spec: { scaleTargetRef: { name: 'w' }, minReplicaCount: 0, triggers: [{ type: 'redis', metadata: { listName: 'q:wait', listLength: '1' } }] },
    };
    assert.ok(validate(valid), ajv.errorsText(validate.errors));

    assert.equal(validate({ ...valid, spec: { ...valid.spec, minReplicas: 0 } }), false);
    assert.match(ajv.errorsText(validate.errors), /must NOT have additional properties/);
    assert.equal(validate({ ...valid, spec: { ...valid.spec, triggers: [{ type: 'redis', metadata: { listLength: 1 } }] } }), false);
    assert.match(ajv.errorsText(validate.errors), /listLength must be string/);
    assert.equal(validate({ ...valid, spec: { triggers: valid.spec.triggers } }), false);
    assert.match(ajv.errorsText(validate.errors), /must have required property 'scaleTargetRef'/);
  });

  it('the security check passes a restricted pod of any workload kind and names every rule a new one breaks', () => {
    assert.deepEqual(podSecurityViolations(cronJob(restrictedPod())), []);
    const loose = restrictedPod();
    loose.securityContext = {} as never;
    loose.containers[0] = { name: 'app', image: 'registry.example.com/tuneforge/worker-cpu:1.0.0', volumeMounts: [] } as never;
    (loose as any).initContainers = [{ name: 'init', image: 'busybox:1.36', securityContext: { allowPrivilegeEscalation: false, privileged: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } } }];
    (loose as any).hostNetwork = true;
    const found = podSecurityViolations(cronJob(loose));
    for (const rule of [
      /pod securityContext.runAsNonRoot/, /runAsUser is not a non-root numeric uid/, /runAsGroup is not/, /seccompProfile is not RuntimeDefault/, /hostNetwork/,
      /container app: allowPrivilegeEscalation/, /container app: privileged/, /container app: readOnlyRootFilesystem/, /container app: capabilities do not drop ALL/,
      /container app: no emptyDir at \/tmp/, /container app: SWC_NATIVE_BINDING_CACHE is unset/, /container init: privileged/, /container init: adds capabilities NET_ADMIN/,
      /container app: runs as undefined:undefined, its image .* as USER 1000:1000/,
    ]) assert.ok(found.some((message) => rule.test(message)), `${rule} among:\n${found.join('\n')}`);
  });

  it('the security check wants fsGroup with a PersistentVolumeClaim, writable directories for HOME and the like, and the image’s own user', () => {
    const pod = restrictedPod();
    pod.securityContext.runAsUser = 1001;
    pod.containers[0].env.push({ name: 'HOME', value: '/home/node' });
    const statefulSet: K8sObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db' }, spec: { template: { spec: pod }, volumeClaimTemplates: [{ metadata: { name: 'data' } }] } };
    assert.deepEqual(podSecurityViolations(statefulSet), [
      'StatefulSet/db: mounts a PersistentVolumeClaim without securityContext.fsGroup',
      'StatefulSet/db container app: runs as 1001:1000, its image (registry.example.com/tuneforge/coordinator:1.0.0) as USER 1000:1000',
      'StatefulSet/db container app: HOME=/home/node is not on a writable volume',
    ]);
  });

  it('every object holding containers is a workload to check, whatever its kind; one the checks cannot read fails them', () => {
    const rollout: K8sObject = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'canary' }, spec: { template: { spec: restrictedPod() } } };
    const scaledJob: K8sObject = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', metadata: { name: 'burst' }, spec: { jobTargetRef: { template: { spec: restrictedPod() } } } };
    const configMap: K8sObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { containers: 'text' } };
    assert.deepEqual(workloadsOf([rollout, scaledJob, configMap]).map((o) => o.kind), ['Rollout', 'ScaledJob']);
    assert.deepEqual(podSecurityViolations(scaledJob), []);
    assert.deepEqual(podSecurityViolations(rollout), ['Rollout/canary runs no pod this check knows how to read']);
  });

  it('the credential check finds literals, ConfigMap entries and URLs with passwords; the AUTH_MODE check finds off anywhere', () => {
    const pod = restrictedPod();
    (pod.containers[0] as any).env = [
      { name: 'TUNEFORGE_ADMIN_TOKEN', value: 'literal' },
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 's', key: 'DATABASE_URL' } } },
      { name: 'REDIS_URL', valueFrom: { configMapKeyRef: { name: 'c', key: 'REDIS_URL' } } },
      { name: 'CACHE', value: 'redis://:hunter2@cache:6379' },
      { name: 'AUTH_MODE', value: 'Off' },
    ];
    const objects: K8sObject[] = [
      cronJob(pod),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { REDIS_URL: 'redis://cache:6379', UPSTREAM: 'postgres://u:p@db/x', AUTH_MODE: 'on' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { AUTH_MODE: Buffer.from('off').toString('base64') } },
      { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'w' }, spec: { triggers: [{ type: 'redis', name: 'waiting', metadata: { password: 'x', passwordFromEnv: 'REDIS_PASSWORD' } }] } },
    ];
    assert.deepEqual(credentialViolations(objects), [
      'ConfigMap/c holds REDIS_URL, a credential',
      'ConfigMap/c key UPSTREAM holds a URL with a password',
      'CronJob/nightly container app: TUNEFORGE_ADMIN_TOKEN is a literal value, not a Secret reference',
      'CronJob/nightly container app: REDIS_URL comes from a ConfigMap, not a Secret',
      'CronJob/nightly container app: CACHE is a URL with a literal password',
      'ScaledObject/w trigger waiting: password in its metadata, not in a TriggerAuthentication',
    ]);
    assert.deepEqual(authModeOffViolations(objects), ['Secret/s sets AUTH_MODE=off', 'CronJob/nightly container app sets AUTH_MODE=off']);
  });
});
