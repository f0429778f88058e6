import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv';
import { StrictFieldChecker } from './support/strict-fields';

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
});
