import assert from 'node:assert/strict';
import { containerListPaths, find, podSpecOf, type K8sObject } from './render';

/** Variables that carry credentials: each comes from a Secret, never from a literal or a ConfigMap. */
export const SECRET_VARIABLES = ['TUNEFORGE_ADMIN_TOKEN', 'METRICS_TOKEN', 'DATABASE_URL', 'WORKER_DATABASE_URL', 'REDIS_URL', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD'];
const SECRET_LOOKING_NAME = /PASSWORD|TOKEN|SECRET|CREDENTIAL|PRIVATE_KEY|API_KEY/i;

/** Whether a variable of this name holds a credential. */
export const isSecretVariable = (name: string) => SECRET_VARIABLES.includes(name) || SECRET_LOOKING_NAME.test(name);

/** Whether a value is a URL with a password in it (`scheme://user:password@host`, `redis://:password@host`). */
export const hasUrlCredentials = (value: string) => /[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]+@/i.test(value);

/** Every container of a workload: init, main and ephemeral. */
export function allContainersOf(workload: K8sObject): any[] {
  const pod = podSpecOf(workload);
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? []), ...(pod?.ephemeralContainers ?? [])];
}

/** The objects that run pods: every object holding a `containers` list. */
export function workloadsOf(objects: K8sObject[]): K8sObject[] {
  return objects.filter((object) => containerListPaths(object).length > 0);
}

function secretValue(objects: K8sObject[], name: string, key: string): string {
  const secret = find(objects, 'Secret', name);
  const value = secret.data?.[key] ?? secret.stringData?.[key];
  assert.ok(value !== undefined, `Secret ${name} has no key ${key}`);
  return secret.data?.[key] !== undefined ? Buffer.from(value, 'base64').toString('utf8') : value;
}

/** A Secret's keys and decoded values. */
export function secretData(secret: K8sObject): Record<string, string> {
  return {
    ...Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(String(value), 'base64').toString('utf8')])),
    ...(secret.stringData ?? {}),
  };
}

/** An envFrom Secret's keys; an `optional` one that does not exist (single sign-on not set up) gives none. */
function envFromSecret(objects: K8sObject[], ref: { name: string; optional?: boolean }): Record<string, string> {
  if (ref.optional && !objects.some((o) => o.kind === 'Secret' && o.metadata.name === ref.name)) return {};
  return secretData(find(objects, 'Secret', ref.name));
}

/** The environment a container gets: envFrom ConfigMaps and Secrets, then env (values and references). Throws on a missing key. */
export function environmentOf(objects: K8sObject[], container: any): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, find(objects, 'ConfigMap', source.configMapRef.name).data);
    if (source.secretRef) Object.assign(env, envFromSecret(objects, source.secretRef));
  }
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.configMapKeyRef) {
      const { name, key } = variable.valueFrom.configMapKeyRef;
      const value = find(objects, 'ConfigMap', name).data?.[key];
      assert.ok(value !== undefined, `ConfigMap ${name} has no key ${key}`);
      env[variable.name] = value;
    } else if (variable.valueFrom?.secretKeyRef) {
      env[variable.name] = secretValue(objects, variable.valueFrom.secretKeyRef.name, variable.valueFrom.secretKeyRef.key);
    }
  }
  return env;
}

/** Whether a container's variable comes from a Secret: a secretKeyRef, or an envFrom Secret without a later env entry. */
export function fromSecret(objects: K8sObject[], container: any, name: string): boolean {
  const entry = (container.env ?? []).find((e: any) => e.name === name);
  if (entry) return entry.valueFrom?.secretKeyRef !== undefined;
  const sources: any[] = container.envFrom ?? [];
  const last = sources.filter((s) => (s.secretRef ? envFromSecret(objects, s.secretRef) : find(objects, 'ConfigMap', s.configMapRef.name).data ?? {})[name] !== undefined).at(-1);
  return last?.secretRef !== undefined;
}

/**
 * Credentials outside Secrets, as messages: a credential variable (SECRET_VARIABLES, or a name with
 * PASSWORD, TOKEN, SECRET in it) given a literal `value` or read from a ConfigMap, a URL with a password
 * in a literal or in any ConfigMap, and a password in a KEDA trigger's metadata.
 */
export function credentialViolations(objects: K8sObject[]): string[] {
  const found: string[] = [];
  for (const configMap of objects.filter((o) => o.kind === 'ConfigMap')) {
    for (const [key, value] of Object.entries<string>(configMap.data ?? {})) {
      if (isSecretVariable(key)) found.push(`ConfigMap/${configMap.metadata.name} holds ${key}, a credential`);
      if (hasUrlCredentials(value)) found.push(`ConfigMap/${configMap.metadata.name} key ${key} holds a URL with a password`);
    }
  }
  for (const workload of workloadsOf(objects)) {
    for (const container of allContainersOf(workload)) {
      const at = `${workload.kind}/${workload.metadata.name} container ${container.name}`;
      for (const variable of container.env ?? []) {
        if (variable.value !== undefined && isSecretVariable(variable.name)) found.push(`${at}: ${variable.name} is a literal value, not a Secret reference`);
        if (variable.value !== undefined && hasUrlCredentials(variable.value)) found.push(`${at}: ${variable.name} is a URL with a literal password`);
        if (variable.valueFrom?.configMapKeyRef && isSecretVariable(variable.name)) found.push(`${at}: ${variable.name} comes from a ConfigMap, not a Secret`);
      }
    }
  }
  for (const scaled of objects.filter((o) => o.kind === 'ScaledObject' || o.kind === 'ScaledJob')) {
    for (const trigger of scaled.spec?.triggers ?? []) {
      for (const key of Object.keys(trigger.metadata ?? {})) {
        if (SECRET_LOOKING_NAME.test(key) && !/FromEnv$/.test(key)) found.push(`${scaled.kind}/${scaled.metadata.name} trigger ${trigger.name ?? trigger.type}: ${key} in its metadata, not in a TriggerAuthentication`);
      }
    }
  }
  return found;
}

/** Where AUTH_MODE is `off`: a ConfigMap, a Secret or a container's literal, as messages. Authentication stays on in every overlay. */
export function authModeOffViolations(objects: K8sObject[]): string[] {
  const isOff = (value: unknown) => String(value).trim().toLowerCase() === 'off';
  const found: string[] = [];
  for (const object of objects.filter((o) => o.kind === 'ConfigMap' || o.kind === 'Secret')) {
    const data = object.kind === 'Secret' ? secretData(object) : (object.data ?? {});
    if (isOff(data.AUTH_MODE)) found.push(`${object.kind}/${object.metadata.name} sets AUTH_MODE=off`);
  }
  for (const workload of workloadsOf(objects)) {
    for (const container of allContainersOf(workload)) {
      const literal = (container.env ?? []).find((e: any) => e.name === 'AUTH_MODE' && e.value !== undefined);
      if (literal && isOff(literal.value)) found.push(`${workload.kind}/${workload.metadata.name} container ${container.name} sets AUTH_MODE=off`);
    }
  }
  return found;
}
