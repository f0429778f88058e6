# syntax=docker/dockerfile:1
# The GPU worker: trains trials with @tensorflow/tfjs-node-gpu 4.22.0, whose libtensorflow 2.9 build
# needs CUDA 11.2 and cuDNN 8.1 at run time, hence the CUDA 11.2.2 + cuDNN 8 runtime base.
# Build from the repository root:
#   docker build -f infra/docker/worker-gpu.Dockerfile -t tuneforge/worker-gpu:0.1.0 .
# (BuildKit reads infra/docker/worker-gpu.Dockerfile.dockerignore beside this file.)

ARG NODE_VERSION=20.20.2
ARG CUDA_IMAGE=nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04

# Built on Debian bullseye (glibc 2.31), the glibc of the Ubuntu 20.04 run-time base, so that the
# native addons compiled here (node-gyp: libs/lstm-engine with OpenBLAS, the tfjs binding) load there.
FROM node:${NODE_VERSION}-bullseye-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 libopenblas-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
 && npm install --no-save --omit=dev --no-audit --no-fund @tensorflow/tfjs-node-gpu@4.22.0
# The native LSTM engine, when the workspace has one and npm ci did not build it already.
# The native LSTM engine for a portable CPU level (not the build host's -march=native); the image must have it.
RUN LSTM_ENGINE_MARCH=x86-64-v3 node libs/lstm-engine/native/build.js --force && test -f libs/lstm-engine/build/Release/lstm_engine.node

FROM ${CUDA_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini libopenblas0 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1000 tuneforge \
 && useradd --uid 1000 --gid 1000 --no-create-home --shell /usr/sbin/nologin tuneforge
COPY --from=build /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
COPY --from=build --chown=root:root /app /app
# TRAIN_ENGINE=auto: the CUDA engine once it is verified on a GPU (issue 19), until then tfjs-node-gpu; never the
# native CPU engine, which would train on one thread while the pod holds a GPU. (The CUDA engine is not in this image
# yet: its build stage has no nvcc; a CUDA devel stage comes with its verification.) Each trial on the CUDA engine
# waits on its GPU from one of libuv's threads: 16 let WORKER_CONCURRENCY=auto's trials run at once.
ENV NODE_ENV=production \
    TF_BACKEND=tfjs-node-gpu \
    TRAIN_ENGINE=auto \
    UV_THREADPOOL_SIZE=16 \
    WORKER_HEALTH_PORT=8081
USER 1000:1000
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.WORKER_HEALTH_PORT + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini forwards SIGTERM to node: the worker finishes its epoch, checkpoints and hands the trial back.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "-r", "./tools/register.js", "apps/worker/src/main.ts"]
