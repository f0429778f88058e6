import { tuneforgeImageUser } from './images';
import { podSpecOf, type K8sObject } from './render';

/** Environment variables that name a directory a program writes to: each must lie on a writable volume. */
const WRITTEN_DIRECTORY_VARIABLES = ['HOME', 'TMPDIR', 'CUDA_CACHE_PATH', 'SWC_NODE_CACHE_DIR', 'SWC_NATIVE_BINDING_CACHE', 'XDG_CACHE_HOME', 'npm_config_cache'];

/** A container's literal env values (what a check without the ConfigMaps and Secrets can see). */
function literalEnvironment(container: any): Record<string, string> {
  return Object.fromEntries((container.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
}

const isPositiveInteger = (value: unknown) => Number.isInteger(value) && (value as number) > 0;

/**
 * Everything in a workload's pod spec that breaks the security rules of infra/README.md ("Security
 * context"), as messages; empty when it keeps them all. Pod: runAsNonRoot, numeric non-root runAsUser
 * and runAsGroup (a Tuneforge image's own USER), fsGroup when it mounts a PersistentVolumeClaim, the
 * RuntimeDefault seccomp profile, no host namespaces or host paths. Every container (init and ephemeral
 * too): no privilege escalation, not privileged, a read-only root file system, every capability dropped
 * and none added; a Tuneforge image has an emptyDir at /tmp and @swc/core's addon cache there, and a
 * directory named by HOME, TMPDIR, CUDA_CACHE_PATH and the like lies on a writable volume. `environment`
 * resolves a container's variables (default: its literal values).
 */
export function podSecurityViolations(workload: K8sObject, environment: (container: any) => Record<string, string> = literalEnvironment): string[] {
  const pod = podSpecOf(workload);
  if (!pod) return [`${workload.kind}/${workload.metadata.name} runs no pod this check knows how to read`];
  const where = `${workload.kind}/${workload.metadata.name}`;
  const volumeClaimTemplates: any[] = workload.kind === 'StatefulSet' ? (workload.spec.volumeClaimTemplates ?? []) : [];
  const found: string[] = [];
  const pc = pod.securityContext ?? {};
  if (pc.runAsNonRoot !== true) found.push(`${where}: pod securityContext.runAsNonRoot is not true`);
  if (!isPositiveInteger(pc.runAsUser)) found.push(`${where}: pod securityContext.runAsUser is not a non-root numeric uid (${pc.runAsUser})`);
  if (!isPositiveInteger(pc.runAsGroup)) found.push(`${where}: pod securityContext.runAsGroup is not a non-root numeric gid (${pc.runAsGroup})`);
  if (pc.seccompProfile?.type !== 'RuntimeDefault') found.push(`${where}: pod seccompProfile is not RuntimeDefault (${pc.seccompProfile?.type})`);
  const volumes: any[] = pod.volumes ?? [];
  const claims = volumes.some((v) => v.persistentVolumeClaim || v.ephemeral) || volumeClaimTemplates.length > 0;
  if (claims && !isPositiveInteger(pc.fsGroup)) found.push(`${where}: mounts a PersistentVolumeClaim without securityContext.fsGroup`);
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[field] === true) found.push(`${where}: ${field} is true`);
  for (const volume of volumes.filter((v) => v.hostPath)) found.push(`${where}: volume ${volume.name} is a hostPath`);

  const writable = new Set([
    ...volumes.filter((v) => v.emptyDir || v.persistentVolumeClaim || v.ephemeral).map((v) => v.name),
    ...volumeClaimTemplates.map((t) => t.metadata?.name),
  ]);
  const containers: any[] = [...(pod.initContainers ?? []), ...(pod.containers ?? []), ...(pod.ephemeralContainers ?? [])];
  for (const container of containers) {
    const at = `${where} container ${container.name}`;
    const sc = container.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) found.push(`${at}: allowPrivilegeEscalation is not false`);
    if (sc.privileged !== false) found.push(`${at}: privileged is not false`);
    if (sc.readOnlyRootFilesystem !== true) found.push(`${at}: readOnlyRootFilesystem is not true`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) found.push(`${at}: capabilities do not drop ALL`);
    if ((sc.capabilities?.add ?? []).length > 0) found.push(`${at}: adds capabilities ${sc.capabilities.add.join(', ')}`);
    if (sc.runAsNonRoot === false) found.push(`${at}: runAsNonRoot is false`);
    for (const field of ['runAsUser', 'runAsGroup']) {
      if (sc[field] !== undefined && !isPositiveInteger(sc[field])) found.push(`${at}: ${field} ${sc[field]} is root or not numeric`);
    }
    if (sc.seccompProfile && sc.seccompProfile.type !== 'RuntimeDefault') found.push(`${at}: seccompProfile is ${sc.seccompProfile.type}`);

    const imageUser = tuneforgeImageUser(container.image);
    const [uid, gid] = [sc.runAsUser ?? pc.runAsUser, sc.runAsGroup ?? pc.runAsGroup];
    if (imageUser && (uid !== imageUser.uid || gid !== imageUser.gid)) {
      found.push(`${at}: runs as ${uid}:${gid}, its image (${container.image}) as USER ${imageUser.uid}:${imageUser.gid}`);
    }
    const writableMounts: string[] = (container.volumeMounts ?? []).filter((m: any) => writable.has(m.name) && m.readOnly !== true).map((m: any) => m.mountPath);
    const onWritable = (path: string) => writableMounts.some((mount) => path === mount || path.startsWith(`${mount.replace(/\/$/, '')}/`));
    const env = environment(container);
    if (imageUser) {
      if (!(container.volumeMounts ?? []).some((m: any) => m.mountPath === '/tmp' && volumes.find((v) => v.name === m.name)?.emptyDir)) {
        found.push(`${at}: no emptyDir at /tmp, where @swc-node/register caches the transpiled sources`);
      }
      // @swc/core unpacks its native addon into a cache before loading it, by default under $HOME (read-only
      // here), and refuses a cache whose parent others may write to without the sticky bit, as an emptyDir (0777).
      if (!env.SWC_NATIVE_BINDING_CACHE) found.push(`${at}: SWC_NATIVE_BINDING_CACHE is unset: @swc/core would unpack its addon under the read-only $HOME`);
      if (env.SWC_NATIVE_BINDING_CACHE_SKIP_SECURITY_CHECK !== '1') found.push(`${at}: SWC_NATIVE_BINDING_CACHE_SKIP_SECURITY_CHECK is not 1: @swc/core refuses a cache in an emptyDir`);
    }
    for (const name of WRITTEN_DIRECTORY_VARIABLES.filter((n) => env[n] !== undefined)) {
      if (!onWritable(env[name])) found.push(`${at}: ${name}=${env[name]} is not on a writable volume`);
    }
  }
  return found;
}
