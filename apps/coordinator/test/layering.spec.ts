import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(__dirname, '../../..');

/** The modules a fresh process has loaded after requiring `entry` (through the same TypeScript loader as the apps). */
function modulesLoadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)))`;
  return JSON.parse(execFileSync(process.execPath, ['-r', './tools/register.js', '-e', script], { cwd: ROOT, encoding: 'utf8' })) as string[];
}

describe('the coordinator is free of the training stack', () => {
  it('loads no @tensorflow/* module, nothing of libs/training and not the LSTM engine addon with its app', () => {
    const loaded = modulesLoadedBy('./apps/coordinator/src/coordinator.app.ts');
    assert.ok(loaded.some((path) => path.includes(`${join('node_modules', '@nestjs', 'core')}`)), 'the check sees the modules the app loads');
    assert.ok(loaded.some((path) => path.includes(join('libs', 'formats'))), 'checkpoints and CSV tables come from @tuneforge/formats');
    assert.deepEqual(
      // (Addons of the loader and of BullMQ's msgpackr are fine: the engine's is the one that must stay out.)
      loaded.filter((path) => path.includes(join('node_modules', '@tensorflow')) || path.includes(join('libs', 'training')) || path.includes(join('libs', 'lstm-engine'))),
      [],
    );
  });
});
