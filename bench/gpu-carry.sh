#!/usr/bin/env bash
# Prepares .gpu/ (ignored) for the GPU machine, which has nvcc, cuBLAS and PyTorch but no Node: this machine's node
# and N-API headers, node-addon-api's headers, the CPU engine (the parity reference) with its OpenBLAS, and the
# PyTorch anchor. Then, with the device tool: run bench/gpu-check.sh carrying .gpu (about 30 MB).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .gpu && mkdir -p .gpu/include/node .gpu/lib .gpu/node-addon-api
# The parity reference for a CPU that is not this one (the local build uses -march=native): AVX2 (x86-64-v3).
LSTM_ENGINE_MARCH=x86-64-v3 node libs/lstm-engine/native/build.js --force --strict >/dev/null
cp libs/lstm-engine/build/Release/lstm_engine.node .gpu/
npm run build -w @tuneforge/lstm-engine >/dev/null
xz -T0 -c "$(command -v node)" > .gpu/node.xz
cp /usr/include/node/node_api*.h /usr/include/node/js_native_api*.h .gpu/include/node/
cp node_modules/node-addon-api/*.h .gpu/node-addon-api/
for lib in $(ldd libs/lstm-engine/build/Release/lstm_engine.node | awk '/openblas|gfortran|quadmath/ { print $3 }'); do xz -c "$(readlink -f "$lib")" > ".gpu/lib/$(basename "$lib").xz"; done
cp ../shared/anchors/torch_lstm_gpu.py .gpu/
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo /.gpu/ >> .git/info/exclude
du -sh .gpu
