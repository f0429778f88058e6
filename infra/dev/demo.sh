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
# The administrator's API token: made once and kept in tmp/admin-token (readable by you only); the
# coordinator registers it, the demo, the CLI (TUNEFORGE_TOKEN) and the dashboard's sign-in use it.
if [ -z "${TUNEFORGE_ADMIN_TOKEN:-}" ]; then
  mkdir -p tmp
  if [ ! -s tmp/admin-token ]; then (umask 077 && node -r ./tools/register.js libs/persistence/src/cli/new-api-token.ts > tmp/admin-token); fi
  TUNEFORGE_ADMIN_TOKEN=$(cat tmp/admin-token)
  export TUNEFORGE_ADMIN_TOKEN
fi
# The key webhooks' signing secrets and URLs are sealed with in PostgreSQL: made once, kept in tmp/webhook-secrets-key
# (readable by you only), so webhooks made in one demo still deliver in the next.
if [ -z "${WEBHOOK_SECRETS_KEY:-}" ]; then
  mkdir -p tmp
  if [ ! -s tmp/webhook-secrets-key ]; then (umask 077 && node -e "console.log(require('crypto').randomBytes(32).toString('base64'))" > tmp/webhook-secrets-key); fi
  WEBHOOK_SECRETS_KEY=$(cat tmp/webhook-secrets-key)
  export WEBHOOK_SECRETS_KEY
fi
export TUNEFORGE_TOKEN=${TUNEFORGE_TOKEN:-$TUNEFORGE_ADMIN_TOKEN}
exec node -r ./tools/register.js tools/demo.ts "${1:-examples/births-tpe-asha.yaml}"
