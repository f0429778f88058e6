#!/usr/bin/env bash
# Installs the workspace's npm dependencies from the lock file when they are missing or older than it.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[install] npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- Dashboard: the build the coordinator serves at /, and the browser its tests drive ---
if [[ ! -f apps/dashboard/dist/index.html || -n $(find apps/dashboard/src apps/dashboard/index.html apps/dashboard/vite.config.ts package-lock.json -newer apps/dashboard/dist/index.html -print -quit) ]]; then
  echo "[install] building the dashboard (vite build)"
  npx vite build --config apps/dashboard/vite.config.ts --logLevel warn
fi
if ! command -v chromium >/dev/null && [[ -z ${CHROMIUM_PATH:-} ]]; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "[install] installing Debian's chromium for the dashboard's browser tests"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "[install] warning: no chromium; the dashboard's browser tests need it (sudo apt-get install -y chromium, or set CHROMIUM_PATH)" >&2
  fi
fi
