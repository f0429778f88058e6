import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/**
 * A Redis server of the test's own, so that a test can stop it and start it again without touching
 * the shared one. It keeps nothing on disk.
 */
export class PrivateRedis {
  private process?: ChildProcess;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        execFileSync('redis-cli', ['-p', String(this.port), 'ping'], { stdio: 'pipe' });
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  async stop(): Promise<void> {
    if (!this.process || !this.running) return;
    const exited = once(this.process, 'exit');
    this.process.kill('SIGKILL');
    await exited;
  }

  /** Whether the server process is up (it may still be starting). */
  get running(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Empties every database of the running server (FLUSHALL), as an operator's mistake or a failover to an empty replica would. */
  flushAll(): void {
    execFileSync('redis-cli', ['-p', String(this.port), 'FLUSHALL'], { stdio: 'pipe' });
  }
}

const PG_BIN = process.env.PG_BIN ?? execFileSync('bash', ['-c', 'dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)"']).toString().trim();

/** A PostgreSQL cluster of the test's own (initdb in a temporary folder), to stop and start at will. */
export class PrivatePostgres {
  private readonly dir = mkdtempSync(join(tmpdir(), 'tf-pg-'));
  constructor(readonly port: number) {}

  get serverUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  init(): void {
    chmodSync(this.dir, 0o777);
    this.run('initdb', ['-D', join(this.dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
  }

  /** `settings` are the server's `-c` options beyond the address (tests run without fsync; a benchmark may want PostgreSQL's defaults). */
  start(settings: Readonly<Record<string, string>> = { fsync: 'off' }): void {
    const options = Object.entries(settings).map(([name, value]) => ` -c ${name}=${value}`).join('');
    this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1${options}`, '-w', '-l', join(this.dir, 'log'), 'start']);
  }

  stop(): void {
    this.run('pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.stop();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** initdb refuses to run as root: run the server tools as the postgres user then. */
  private run(tool: string, args: string[]): void {
    const binary = join(PG_BIN, tool);
    if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', binary, ...args], { stdio: 'pipe' });
    else execFileSync(binary, args, { stdio: 'pipe' });
  }
}
