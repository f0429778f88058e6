#!/usr/bin/env bash
# The whole test suite on a fresh machine: dependencies, PostgreSQL and Redis, lint, type check, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
bash infra/dev/install.sh
bash infra/dev/services.sh
echo "[test] lint"
# Each Nx project (apps/*, libs/*) lints itself, zero warnings allowed (nx.json targetDefaults); the rest
# of the repository (test, bench, infra, tools) belongs to no project and is linted by one command.
npx nx run-many -t lint --outputStyle=static --skipNxCache
npm run lint:outside-projects
echo "[test] type check"
npx tsc -p tsconfig.typecheck.json
npx tsc -p apps/dashboard/tsconfig.json
echo "[test] unit, integration and end-to-end tests"
node tools/run-tests.mjs all
