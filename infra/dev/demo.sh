#!/usr/bin/env bash
# The main job on a fresh machine: dependencies, PostgreSQL and Redis, migrations, then the
# coordinator and two workers running the example sweep on the US births dataset to a ranked result.
# Usage: npm run demo [-- spec.yaml]   (DEMO_KEEP_RUNNING=1 leaves the stack up afterwards)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PORT=${PORT:-3000}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tuneforge}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

bash infra/dev/install.sh
bash infra/dev/services.sh
npm run -s migrate
exec node -r ./tools/register.js tools/demo.ts "${1:-examples/births-tpe-asha.yaml}"
