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
