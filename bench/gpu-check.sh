#!/usr/bin/env bash
# Issue 19's device check, in under 5 minutes on the GPU machine, from the repository root with .gpu carried
# (bench/gpu-carry.sh makes it here): builds the CUDA engine, checks it against the CPU engine (loss, gradients and
# weights after three steps within 1e-3), and measures it against PyTorch's cuDNN LSTM on W1, W2 and W3 and with
# 1, 4 and 8 W1 trials in one process. Prints one table; $OUT gets gpu-check.json and the logs.
# With the device tool: run(command="bash bench/gpu-check.sh", carry=[".gpu"], timeout_s=420)
set -euo pipefail
G="$PWD/.gpu"
OUT="${OUT:-/tmp/gpu-check}"
mkdir -p "$OUT" /tmp/tuneforge-node /tmp/tuneforge-lib
xz -dc "$G/node.xz" > /tmp/tuneforge-node/node && chmod +x /tmp/tuneforge-node/node
for f in "$G"/lib/*.xz; do xz -dc "$f" > "/tmp/tuneforge-lib/$(basename "$f" .xz)"; done
CUDA_LIB=/usr/local/cuda-13.0/targets/x86_64-linux/lib
export PATH="/tmp/tuneforge-node:/usr/local/cuda/bin:$PATH"
export LD_LIBRARY_PATH="/tmp/tuneforge-lib:$CUDA_LIB:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
export npm_config_nodedir="$G" NODE_ADDON_API_DIR="$G/node-addon-api" LSTM_CUDA_ARCHS="${LSTM_CUDA_ARCHS:-90}" UV_THREADPOOL_SIZE=16
nvidia-smi --query-gpu=name,driver_version,memory.used,memory.total --format=csv | tee "$OUT/gpu.txt"
node --version
node libs/lstm-engine/cuda/build.js --force --strict 2>&1 | tee "$OUT/build.log"
PYTHONUNBUFFERED=1 python3 "$G/torch_lstm_gpu.py" 50,8,64,64,4096 100,32,256,256,1024 100,32,512,1024,2048 | tee "$OUT/torch.jsonl"
node bench/gpu-check.mjs "$PWD/libs/lstm-engine/build/Release/lstm_cuda.node" "$G/lstm_engine.node" "$OUT/torch.jsonl" 2>&1 | tee "$OUT/gpu-check.txt"
