#!/usr/bin/env bash
# Generates a migration from the difference between the entities and the existing migrations:
# applies the existing ones to a scratch database, asks TypeORM for the rest, formats the file.
# Usage: npm run migration:generate -- AddTrialBackend
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: npm run migration:generate -- <MigrationName>}
server=${DATABASE_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
export DATABASE_URL="$server/tf_migration_gen_$$"
trap 'node -r ./tools/register.js libs/persistence/src/cli/drop-database.ts' EXIT
node -r ./tools/register.js libs/persistence/src/cli/migrate.ts
node -r ./tools/register.js node_modules/typeorm/cli.js migration:generate -p -d libs/persistence/src/data-source.ts "libs/persistence/src/migrations/$name"
file=$(ls -t libs/persistence/src/migrations/*-"$name".ts | head -1)
npx prettier --single-quote --print-width 140 --write "$file" >/dev/null
echo "now add $(grep -o 'class [A-Za-z0-9]*' "$file" | cut -d' ' -f2) from $file to libs/persistence/src/migrations/index.ts"
