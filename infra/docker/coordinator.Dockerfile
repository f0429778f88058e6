# syntax=docker/dockerfile:1
# The coordinator: REST API under /api/v1 and the dashboard at /, run from TypeScript source through
# @swc-node/register (tools/register.js). Build from the repository root:
#   docker build -f infra/docker/coordinator.Dockerfile -t tuneforge/coordinator:0.1.0 .
# (BuildKit reads infra/docker/coordinator.Dockerfile.dockerignore beside this file.)

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Everything needed to build: dev dependencies, the dashboard's Vite build, native addons.
FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 libopenblas-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
# The dashboard (apps/dashboard, a Vite app) builds to apps/dashboard/dist, served by the coordinator at /.
RUN npm run dashboard:build

# Production dependencies only, installed afresh so no dev package leaks into the image.
FROM ${NODE_IMAGE} AS prod-deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential python3 libopenblas-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini libopenblas0 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DASHBOARD_DIR=/app/apps/dashboard/dist
COPY --from=prod-deps --chown=root:root /app /app
COPY --from=build --chown=root:root /app/apps/dashboard/dist /app/apps/dashboard/dist
# The base image's non-root user `node`, by number (uid 1000, gid 1000) so that Kubernetes can check
# runAsNonRoot; the code stays owned by root, so it cannot change it.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/v1/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# tini is PID 1: it forwards SIGTERM to node and reaps zombies; node runs the TypeScript source.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "-r", "./tools/register.js", "apps/coordinator/src/main.ts"]
