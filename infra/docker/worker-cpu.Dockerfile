# syntax=docker/dockerfile:1
# The CPU worker: trains trials with @tensorflow/tfjs-node 4.22.0 (libtensorflow on the CPU), for
# clusters or overlays without GPU nodes. Build from the repository root:
#   docker build -f infra/docker/worker-cpu.Dockerfile -t tuneforge/worker-cpu:0.1.0 .
# (BuildKit reads infra/docker/worker-cpu.Dockerfile.dockerignore beside this file.)

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 libopenblas-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
 && npm install --no-save --omit=dev --no-audit --no-fund @tensorflow/tfjs-node@4.22.0
# The native LSTM engine, when the workspace has one and npm ci did not build it already.
# The native LSTM engine for a portable CPU level (not the build host's -march=native); the image must have it.
RUN LSTM_ENGINE_MARCH=x86-64-v3 node libs/lstm-engine/native/build.js --force && test -f libs/lstm-engine/build/Release/lstm_engine.node

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini libopenblas0 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build --chown=root:root /app /app
ENV NODE_ENV=production \
    TF_BACKEND=tfjs-node \
    TRAIN_ENGINE=native \
    WORKER_HEALTH_PORT=8081
# The base image's non-root user `node`, by number (Kubernetes checks runAsNonRoot against it).
USER 1000:1000
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.WORKER_HEALTH_PORT + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini forwards SIGTERM to node: the worker finishes its epoch, checkpoints and hands the trial back.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "-r", "./tools/register.js", "apps/worker/src/main.ts"]
