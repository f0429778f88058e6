// Builds the CUDA engine (build/Release/lstm_cuda.node) with nvcc when there is one. It needs only nvcc and the
// CUDA runtime: cuBLAS is loaded when a network is made. Without nvcc, or when it fails, the reason goes to
// build/CUDA_SKIPPED.txt (which the loader reports) and nothing fails: workers train with the other engines.
// LSTM_CUDA_ARCHS (default 90: H100, H200) lists the GPU generations to compile for; the newest also as PTX.
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { delimiter, join } = require('node:path');

const root = join(__dirname, '..');
// LSTM_CUDA_BUILD_DIR: where the addon and CUDA_SKIPPED.txt go (default build/; tests point it elsewhere).
const buildDir = process.env.LSTM_CUDA_BUILD_DIR ?? join(root, 'build');
const out = join(buildDir, 'Release');
const addon = join(out, 'lstm_cuda.node');
const skipped = join(buildDir, 'CUDA_SKIPPED.txt');
const native = join(root, 'native');
const sources = [...readdirSync(__dirname).map((name) => join(__dirname, name)), ...readdirSync(native).filter((name) => /\.h$|binding\.cc$/.test(name)).map((name) => join(native, name))];

function skip(reason, detail = '') {
  mkdirSync(buildDir, { recursive: true });
  rmSync(addon, { force: true });
  writeFileSync(skipped, `${reason}\n\n${detail.slice(-20000)}`);
  console.log(`[lstm-engine] the CUDA engine is not built: ${reason}`);
  process.exit(process.argv.includes('--strict') && !reason.startsWith('no nvcc') ? 1 : 0);
}

const upToDate = existsSync(addon) && sources.every((source) => statSync(source).mtimeMs <= statSync(addon).mtimeMs);
if (upToDate && !process.argv.includes('--force')) {
  console.log('[lstm-engine] CUDA addon is up to date');
  process.exit(0);
}
const candidates = [...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'nvcc')), '/usr/local/cuda/bin/nvcc'];
const nvcc = process.env.NVCC ?? candidates.find((path) => existsSync(path));
if (!nvcc) skip('no nvcc on PATH or in /usr/local/cuda/bin (a machine without the CUDA toolkit)');

const prefix = join(process.execPath, '..', '..');
const nodeInclude = [process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'), join(prefix, 'include', 'node'), '/usr/include/node'].find(
  (dir) => dir && existsSync(join(dir, 'node_api.h')),
);
if (!nodeInclude) skip("no N-API headers (node_api.h) beside this node, in npm_config_nodedir or /usr/include/node");
// The GPU machine has no node_modules: gpu-check.sh points here at carried headers.
const addonApi = process.env.NODE_ADDON_API_DIR ?? require('node-addon-api').include_dir;
const archs = (process.env.LSTM_CUDA_ARCHS ?? '90').split(',').map((a) => a.trim()).filter(Boolean);
const gencode = [...archs.map((a) => `-gencode=arch=compute_${a},code=sm_${a}`), `-gencode=arch=compute_${archs.at(-1)},code=compute_${archs.at(-1)}`];
const objects = join(buildDir, 'cuda-obj');
mkdirSync(objects, { recursive: true });
mkdirSync(out, { recursive: true });
const defines = ['-DTUNEFORGE_CUDA', '-DNAPI_VERSION=8', '-DNODE_ADDON_API_DISABLE_DEPRECATED'];
const steps = [
  [nvcc, ['-std=c++17', '-O3', '-Xcompiler', '-fPIC', ...gencode, '-c', join(__dirname, 'cuda_net.cu'), '-o', join(objects, 'cuda_net.o')]],
  [nvcc, ['-std=c++17', '-O3', '-Xcompiler', '-fPIC,-fexceptions', ...defines, `-I${nodeInclude}`, `-I${addonApi}`, '-x', 'c++', '-c', join(root, 'native', 'binding.cc'), '-o', join(objects, 'binding.o')]],
  [nvcc, ['-shared', ...gencode, '-o', addon, join(objects, 'cuda_net.o'), join(objects, 'binding.o'), '-ldl']],
];
console.log(`[lstm-engine] building the CUDA engine (${nvcc}, sm_${archs.join(', sm_')})`);
for (const [command, args] of steps) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    const output = `${result.error?.message ?? ''}${result.stdout ?? ''}${result.stderr ?? ''}`;
    const errors = output.split('\n').filter((line) => /error/i.test(line)).slice(0, 6);
    skip(`nvcc exited with ${result.status}: ${errors.join(' | ') || output.slice(-400)}`, output);
  }
}
rmSync(skipped, { force: true });
console.log(`[lstm-engine] built ${addon}`);
