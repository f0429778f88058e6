// Runs the test suite with Node's test runner over the TypeScript sources.
// Usage: node tools/run-tests.mjs [unit|integration|e2e|all] [extra node --test flags]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
// Every spec file is in exactly one tier (checked below). unit: the pure code of the libs (libs/*/src), no
// PostgreSQL, Redis or child process; integration: a project's test/ folder, against real servers;
// e2e: the top-level test/ folder, real coordinator and worker processes.
const TIERS = {
  unit: (path) => /^libs\/[^/]+\/src\//.test(path),
  integration: (path) => /^(apps|libs|infra)\/[^/]+\/test\//.test(path),
  e2e: (path) => path.startsWith('test/'),
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
const specs = ['apps', 'libs', 'infra', 'test'].filter((dir) => existsSync(join(root, dir))).flatMap((dir) => walk(join(root, dir))).filter((path) => path.endsWith('.spec.ts')).sort();
const misplaced = specs
  .map((path) => ({ path, tiers: Object.keys(TIERS).filter((name) => TIERS[name](path)) }))
  .filter(({ tiers }) => tiers.length !== 1);
if (misplaced.length > 0) {
  for (const { path, tiers } of misplaced) console.error(`${path} is in ${tiers.length === 0 ? 'no test tier' : `the tiers ${tiers.join(' and ')}`}`);
  console.error('every spec file belongs to exactly one tier: unit (libs/*/src), integration (apps|libs|infra/*/test) or e2e (test/)');
  process.exit(2);
}
const files = specs.filter((path) => selected.some((t) => t(path)));
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
