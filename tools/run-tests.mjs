// Runs the test suite with Node's test runner over the TypeScript sources.
// Usage: node tools/run-tests.mjs [unit|integration|e2e|all] [extra node --test flags]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const TIERS = {
  unit: (path) => path.startsWith('libs/') && path.endsWith('.spec.ts'),
  integration: (path) => /^(apps|libs|infra)\/[^/]+\/test\//.test(path) && path.endsWith('.spec.ts'),
  e2e: (path) => path.startsWith('test/') && path.endsWith('.spec.ts'),
};

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(relative(root, path));
  }
  return out;
}

const [tier = 'all', ...extra] = process.argv.slice(2);
const selected = tier === 'all' ? Object.values(TIERS) : [TIERS[tier]];
if (selected.some((t) => !t)) {
  console.error(`unknown test tier '${tier}'; use one of ${Object.keys(TIERS).join(', ')}, all`);
  process.exit(2);
}
const files = ['apps', 'libs', 'infra', 'test'].filter((dir) => existsSync(join(root, dir))).flatMap((dir) => walk(join(root, dir))).filter((path) => selected.some((t) => t(path))).sort();
if (files.length === 0) {
  console.error(`no test files for tier '${tier}'`);
  process.exit(1);
}
mkdirSync(join(root, 'tmp'), { recursive: true });
const tapFile = join(root, 'tmp', `test-results-${tier}.tap`);
const result = spawnSync(
  process.execPath,
  [
    '-r',
    './tools/register.js',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=180000',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...extra,
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);

// One plain closing line, whatever reporter is on screen.
const tap = readFileSync(tapFile, 'utf8');
const total = (key) => Number([...tap.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? 0);
console.log(`\ntests: ${total('pass')} passed, ${total('fail') + total('cancelled')} failed, ${total('skipped') + total('todo')} skipped`);
process.exit(result.status ?? 1);
