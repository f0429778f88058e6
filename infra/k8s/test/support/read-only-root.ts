import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * In a private mount namespace: the whole file system bound read-only (but /proc, /dev, /sys), a fresh
 * empty directory of mode 0777 (what the kubelet makes an emptyDir) bound at each writable mount, then
 * the command as uid:gid with only the environment given, in `cwd` (the image's WORKDIR).
 */
const SCRIPT = `set -eu
root=$1; uid=$2; gid=$3; cwd=$4; mounts=$5; shift 5
mount --rbind / "$root"
findmnt -R -n -o TARGET --list "$root" | sort -r | while read -r m; do
  case "$m" in "$root"/proc*|"$root"/dev*|"$root"/sys*) ;; *) mount -o remount,bind,ro "$m" ;; esac
done
for pair in $mounts; do mount --bind "\${pair%%=*}" "$root\${pair#*=}"; done
exec chroot "$root" setpriv --reuid "$uid" --regid "$gid" --clear-groups -- env -i -C "$cwd" "$@"`;

/** Why this machine cannot run a process on a read-only root (it takes root and mount namespaces), or undefined when it can. */
export function readOnlyRootUnsupported(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (mount namespaces) to emulate a read-only root file system';
  const probe = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', 'mount --bind / /mnt && mount -o remount,bind,ro /mnt && command -v setpriv findmnt chroot'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `cannot make a read-only mount namespace here: ${(probe.stderr || probe.error?.message || '').trim()}`;
}

export interface ReadOnlyRootOptions {
  uid: number;
  gid: number;
  /** Where the pod mounts its emptyDirs: each gets a fresh empty directory; the rest is read-only. */
  emptyDirs: string[];
  env: Record<string, string>;
  /** The image's WORKDIR: here, the repository (the images copy it to /app). */
  cwd: string;
}

/**
 * A command run the way a container with `readOnlyRootFilesystem: true` runs it: the repository and
 * everything else read-only, only the emptyDirs writable, as the pod's non-root user.
 */
export class ReadOnlyRootProcess {
  readonly child: ChildProcess;
  private log = '';

  constructor(command: string[], options: ReadOnlyRootOptions) {
    const scratch = mkdtempSync(join(tmpdir(), 'tf-k8s-rofs-'));
    const root = join(scratch, 'root');
    mkdirSync(root);
    const mounts = options.emptyDirs.map((path, index) => {
      if (!existsSync(path)) throw new Error(`emptyDir mount path ${path} does not exist on this machine to bind over`);
      const source = join(scratch, `empty-${index}`);
      mkdirSync(source);
      chmodSync(source, 0o777);
      return `${source}=${path}`;
    });
    const env = Object.entries(options.env).map(([key, value]) => `${key}=${value}`);
    const args = [SCRIPT, 'sh', root, String(options.uid), String(options.gid), options.cwd, mounts.join(' '), ...env, ...command];
    this.child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout, this.child.stderr]) stream?.on('data', (chunk) => (this.log += chunk));
    this.child.once('exit', () => rmSync(scratch, { recursive: true, force: true }));
  }

  get output(): string {
    return this.log;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async exit(): Promise<number | null> {
    if (this.running) await once(this.child, 'exit');
    return this.child.exitCode;
  }

  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exit();
  }
}
