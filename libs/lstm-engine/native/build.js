// Builds the addon with node-gyp. An install never fails because of it: without a compiler or
// OpenBLAS headers the reason is written to build/BUILD_FAILED.txt, which the loader reports, and
// training falls back to TensorFlow.js. `--force` rebuilds even when the addon is up to date.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const addon = join(root, 'build', 'Release', 'lstm_engine.node');
const failure = join(root, 'build', 'BUILD_FAILED.txt');
const sources = [join(root, 'binding.gyp'), ...readdirSync(__dirname).map((name) => join(__dirname, name))];

const upToDate = existsSync(addon) && sources.every((source) => statSync(source).mtimeMs <= statSync(addon).mtimeMs);
if (upToDate && !process.argv.includes('--force')) {
  console.log('[lstm-engine] addon is up to date');
  process.exit(0);
}
console.log('[lstm-engine] building the native addon (node-gyp, OpenBLAS)');
const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
// Node's own headers when this installation ships them (Debian's nodejs, the official tarballs):
// otherwise node-gyp downloads them from nodejs.org, which offline machines cannot reach.
const prefix = join(process.execPath, '..', '..');
const nodedir = process.env.npm_config_nodedir || (existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined);
const args = [nodeGyp, 'rebuild', '--jobs=1', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: process.env });
if (result.status === 0 && existsSync(addon)) {
  rmSync(failure, { force: true });
  console.log(`[lstm-engine] built ${addon}`);
  process.exit(0);
}
const output = `${result.error?.message ?? ''}${result.stdout ?? ''}${result.stderr ?? ''}`;
const errors = output.split('\n').filter((line) => /error|not found|cannot find|No such file/i.test(line)).slice(0, 8);
const reason = `node-gyp exited with ${result.status}: ${errors.join(' | ') || output.slice(-500)}`;
mkdirSync(join(root, 'build'), { recursive: true });
writeFileSync(failure, `${reason}\n\n${output.slice(-20000)}`);
console.warn(`[lstm-engine] the native addon did not build; training will use TensorFlow.js. ${reason}`);
process.exit(process.argv.includes('--strict') ? 1 : 0);
