import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TEST_ADMIN_TOKEN } from '@tuneforge/testing';

/** The real `tuneforge` binary. */
export const CLI_BIN = join(__dirname, '..', '..', 'apps', 'cli', 'bin', 'tuneforge.js');
const run = promisify(execFile);

/**
 * Runs the real `tuneforge` binary as the test administrator (TUNEFORGE_TOKEN); resolves with its exit code and output whatever the code.
 * Its stdin is `input` (empty by default).
 */
export async function tuneforge(args: string[], env: Record<string, string> = {}, input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const running = run(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, TUNEFORGE_TOKEN: TEST_ADMIN_TOKEN, ...env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    running.child.stdin?.end(input);
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
