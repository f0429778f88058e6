import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DemoSweepResult {
  seconds: number;
  trials: Record<string, number>;
  bestValMae: number;
  seasonalNaiveValMae: number;
  /** The best trial's test-split MAE and the seasonal-naive MAE on the same rows. */
  testMae: number;
  seasonalNaiveTestMae: number;
}

/** Runs the README's main job (tools/demo.ts: coordinator, two workers) on `spec` and reads its result. */
export function demoSweep(env: Record<string, string>, port: number, spec = 'examples/births-tpe-asha.yaml'): DemoSweepResult {
  const root = join(__dirname, '..');
  const resultFile = join(root, 'tmp', 'bench-demo-result.json');
  const run = spawnSync(process.execPath, ['-r', './tools/register.js', 'tools/demo.ts', spec], {
    cwd: root,
    env: { ...process.env, ...env, PORT: String(port), DEMO_RESULT_FILE: resultFile },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 15 * 60_000,
  });
  if (run.status !== 0) throw new Error(`the demo sweep failed (exit ${run.status})`);
  return JSON.parse(readFileSync(resultFile, 'utf8')) as DemoSweepResult;
}
