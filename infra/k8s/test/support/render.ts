import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const K8S_DIR = join(__dirname, '../..');
export const REPO_ROOT = join(K8S_DIR, '../..');
export const OVERLAYS = ['dev', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];

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

/**
 * `kubectl kustomize` of an overlay. The prod overlay reads connections.env, which is kept out of
 * git: it is rendered from a copy of infra/k8s with the committed example in its place, as a user would.
 */
export function renderOverlay(overlay: Overlay): K8sObject[] {
  const copy = mkdtempSync(join(tmpdir(), 'tf-k8s-'));
  try {
    cpSync(K8S_DIR, copy, { recursive: true, filter: (source) => !source.includes(`${join(K8S_DIR, 'test')}`) });
    if (overlay === 'prod') copyFileSync(join(copy, 'overlays/prod/connections.env.example'), join(copy, 'overlays/prod/connections.env'));
    const yaml = execFileSync(kubectlPath(), ['kustomize', join(copy, 'overlays', overlay)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return parseAllDocuments(yaml).map((document) => {
      if (document.errors.length) throw new Error(`kubectl kustomize printed invalid YAML: ${document.errors[0].message}`);
      return document.toJS() as K8sObject;
    });
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

/** The pod template of a workload, or undefined for other kinds. */
export function podSpecOf(object: K8sObject): any | undefined {
  return ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(object.kind) ? object.spec.template.spec : undefined;
}

/** The data of the ConfigMap a generator named `name` (kustomize adds a hash suffix). */
export function configMapData(objects: K8sObject[], name: string): Record<string, string> {
  const found = objects.filter((object) => object.kind === 'ConfigMap' && (object.metadata.name === name || object.metadata.name.startsWith(`${name}-`)));
  if (found.length !== 1) throw new Error(`expected one ConfigMap ${name}, found ${found.length}`);
  return found[0].data;
}
