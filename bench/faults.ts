// The fault scenarios of test/faults (test/faults/support/scenarios.ts), each run once outside the test
// runner, with the same stacks (private PostgreSQL and Redis, coordinator and worker processes) and the
// same invariants; prints a markdown table of recovery times and writes tmp/bench-faults.json.
// Recovery: from the fault to metric_points.recorded_at of the first epoch a trial the fault affected
// stored after it (read as it appears: a re-trained epoch's upsert moves recorded_at later).
// Usage: node -r ./tools/register.js bench/faults.ts [--only redis-restart,postgres-outage]
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FaultTiming } from '../test/faults/support/recovery';
import { runScenario, startGroupStack } from '../test/faults/support/run-scenario';
import { SCENARIO_GROUPS } from '../test/faults/support/scenarios';
import { ownArgs } from './own-args';

const { values } = parseArgs({ args: ownArgs(module), options: { only: { type: 'string' } } });
const only = values.only?.split(',').map((name) => name.trim());
const ROOT = join(__dirname, '..');

export interface FaultsResult {
  commit: string;
  cpus: number;
  at: string;
  rows: Row[];
}

interface Row {
  scenario: string;
  title: string;
  result: 'passed' | 'failed' | 'skipped';
  error?: string;
  wallMs: number;
  timing?: FaultTiming;
}

const seconds = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** The recovery table of one run (tmp/bench-faults.json), as printed and as bench/run.ts writes it into BENCHMARKS.md. */
export function faultsTable(rows: Row[]): string {
  const lines = ['| scenario | fault | recovery (from the fault) | after the fault was undone | other | invariants |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    const t = row.timing;
    const other = [
      ...(t?.samplesMs ? [`each kill: ${t.samplesMs.map(seconds).join(', ')}`] : []),
      ...Object.entries(t?.durationsMs ?? {}).map(([name, ms]) => `${name} ${seconds(ms)}`),
    ].join('; ');
    const result = row.result === 'failed' ? `failed: ${(row.error ?? '').split('\n')[0].slice(0, 160)}` : row.result;
    lines.push(`| ${row.scenario} | ${t?.fault ?? row.title} | ${seconds(t?.recoveryMs)} | ${seconds(t?.afterRestoreMs)} | ${other || '—'} | ${result} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const group of SCENARIO_GROUPS) {
    const scenarios = group.scenarios.filter((s) => !only || only.includes(s.name));
    if (scenarios.length === 0) continue;
    const stack = await startGroupStack(group);
    try {
      for (const scenario of scenarios) {
        if (scenario.skip) {
          rows.push({ scenario: scenario.name, title: scenario.title, result: 'skipped', error: scenario.skip, wallMs: 0 });
          continue;
        }
        const started = Date.now();
        process.stderr.write(`[faults] ${scenario.name} ...\n`);
        let timing: FaultTiming | undefined;
        try {
          await runScenario(scenario, stack, async (t) => {
            timing = t;
          });
          rows.push({ scenario: scenario.name, title: scenario.title, result: 'passed', wallMs: Date.now() - started, timing });
        } catch (error) {
          rows.push({ scenario: scenario.name, title: scenario.title, result: 'failed', error: (error as Error).message, wallMs: Date.now() - started, timing });
        }
        process.stderr.write(`[faults] ${scenario.name}: ${rows.at(-1)?.result} in ${seconds(rows.at(-1)?.wallMs)}\n`);
      }
    } finally {
      await stack.close();
    }
  }
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  const result: FaultsResult = { commit, cpus: cpus().length, at: new Date().toISOString(), rows };
  writeFileSync(join(ROOT, 'tmp', 'bench-faults.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`commit ${commit}; ${cpus().length} CPUs; each scenario once (test/faults/support/scenarios.ts); tmp/bench-faults.json\n`);
  console.log(faultsTable(rows));
  const failed = rows.filter((r) => r.result === 'failed');
  for (const row of failed) console.log(`\n${row.scenario} failed:\n${row.error}`);
  process.exitCode = failed.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
