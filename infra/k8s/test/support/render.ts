import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const K8S_DIR = join(__dirname, '../..');
export const REPO_ROOT = join(K8S_DIR, '../..');
/** Every overlay under infra/k8s/overlays: one added later is rendered and checked too. */
export const OVERLAYS: readonly string[] = readdirSync(join(K8S_DIR, 'overlays'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
export type Overlay = string;

/** A rendered Kubernetes object, as plain data. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
}

/** kubectl with kustomize v5: $KUBECTL, else the one infra/dev/install.sh put in the tools folder, else PATH. */
export function kubectlPath(): string {
  if (process.env.KUBECTL) return process.env.KUBECTL;
  const installed = join(process.env.TUNEFORGE_TOOLS_DIR ?? '/var/tmp/tuneforge/tools', 'kubectl');
  return existsSync(installed) ? installed : 'kubectl';
}

/** `kubectl kustomize` of an overlay, as plain objects. */
export function renderOverlay(overlay: Overlay): K8sObject[] {
  const yaml = execFileSync(kubectlPath(), ['kustomize', join(K8S_DIR, 'overlays', overlay)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(yaml).map((document) => {
    if (document.errors.length) throw new Error(`kubectl kustomize printed invalid YAML: ${document.errors[0].message}`);
    return document.toJS() as K8sObject;
  });
}

/**
 * The Secrets an overlay names but leaves to the cluster (created with `kubectl create secret`, see
 * infra/README.md), as Secrets with the keys and placeholder values of the overlay's
 * `<secret name>.env.example` files: what the checks resolve references against.
 */
export function externalSecrets(overlay: Overlay): K8sObject[] {
  const dir = join(K8S_DIR, 'overlays', overlay);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.env.example'))
    .map((file) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: file.slice(0, -'.env.example'.length) },
      data: Object.fromEntries(Object.entries(envFileEntries(readFileSync(join(dir, file), 'utf8'))).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    }));
}

/** KEY=VALUE lines as `kubectl create secret --from-env-file` reads them: `#` comments and blank lines skipped, values verbatim. */
export function envFileEntries(text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`not a KEY=VALUE line: ${line}`);
    entries[line.slice(0, at)] = line.slice(at + 1);
  }
  return entries;
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

/** Where each kind that runs pods keeps its pod template (a Pod is its own). */
const POD_TEMPLATE_PATHS: Record<string, string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  // KEDA
  ScaledJob: ['spec', 'jobTargetRef', 'template'],
};

/** Kinds that run to completion: no readiness or liveness probes. */
export const RUN_TO_COMPLETION_KINDS = new Set(['Job', 'CronJob', 'ScaledJob']);

/** The pod template (metadata and spec) of a workload, or undefined for other kinds. */
export function podTemplateOf(object: K8sObject): { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: any } | undefined {
  const path = POD_TEMPLATE_PATHS[object.kind];
  return path && path.reduce((at: any, key) => at?.[key], object);
}

/** The pod spec of a workload, or undefined for other kinds. */
export function podSpecOf(object: K8sObject): any | undefined {
  return podTemplateOf(object)?.spec;
}

/** Paths inside an object that hold a `containers` list: any pod spec, whatever the kind, so that no kind unknown here escapes the checks. */
export function containerListPaths(value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => containerListPaths(item, `${path}[${index}]`));
  return Object.entries(value).flatMap(([key, item]) =>
    key === 'containers' && Array.isArray(item) ? [path ? `${path}.${key}` : key] : containerListPaths(item, path ? `${path}.${key}` : key),
  );
}

/** The data of the ConfigMap a generator named `name` (kustomize adds a hash suffix). */
export function configMapData(objects: K8sObject[], name: string): Record<string, string> {
  const found = objects.filter((object) => object.kind === 'ConfigMap' && (object.metadata.name === name || object.metadata.name.startsWith(`${name}-`)));
  if (found.length !== 1) throw new Error(`expected one ConfigMap ${name}, found ${found.length}`);
  return found[0].data;
}
