import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { TEST_ADMIN_TOKEN, TEST_WEBHOOK_SECRETS_KEY } from './auth';
import { freePort } from './private-services';

const ROOT = join(__dirname, '../../..');

/** A Tuneforge process (coordinator or worker) started from its TypeScript entry point. */
export class AppProcess {
  readonly child: ChildProcess;
  private log = '';
  private out = '';

  /** `env` adds to the test's environment; a variable set to undefined is removed from it. */
  constructor(entry: string, env: Record<string, string | undefined>) {
    // PROCESS_NODE_ARGS adds node flags to every started process, e.g. "--cpu-prof --cpu-prof-dir=tmp/prof".
    const nodeArgs = (process.env.PROCESS_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const merged = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, value]) => value !== undefined));
    this.child = spawn(process.execPath, [...nodeArgs, '-r', './tools/register.js', entry], { cwd: ROOT, env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (chunk) => {
      this.log += chunk;
      this.out += chunk;
    });
    this.child.stderr?.on('data', (chunk) => (this.log += chunk));
  }

  /** stdout and stderr, as they came. */
  get output(): string {
    return this.log;
  }

  get stdout(): string {
    return this.out;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return { code: this.child.exitCode, signal: this.child.signalCode };
    const [code, signal] = await once(this.child, 'exit');
    return { code, signal };
  }

  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.running) {
      this.child.kill(signal);
      await this.exit();
    }
  }
}

/** Polls every `intervalMs` until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
}

/** Starts a coordinator on `port`, its administrator's token TEST_ADMIN_TOKEN (and webhooks' key TEST_WEBHOOK_SECRETS_KEY) unless `env` names another (undefined: none, so it makes one), (a free one when absent; pass the old port to restart it where browsers expect it). */
export async function startCoordinatorProcess(env: Record<string, string | undefined>, port?: number): Promise<{ process: AppProcess; api: string }> {
  port ??= await freePort();
  const coordinator = new AppProcess('apps/coordinator/src/main.ts', { TUNEFORGE_ADMIN_TOKEN: TEST_ADMIN_TOKEN, WEBHOOK_SECRETS_KEY: TEST_WEBHOOK_SECRETS_KEY, ...env, PORT: String(port), HOST: '127.0.0.1' });
  const api = `http://127.0.0.1:${port}/api/v1`;
  await waitFor('the coordinator is healthy', async () => {
    if (!coordinator.running) throw new Error(`the coordinator exited:\n${coordinator.output}`);
    return (await fetch(`${api}/health`)).ok;
  });
  return { process: coordinator, api };
}
