#!/usr/bin/env bash
# The main job on a fresh machine: dependencies, PostgreSQL and Redis, migrations, the coordinator,
# then the example sweep submitted over the REST API. The coordinator keeps running until Ctrl-C
# (DEMO_EXIT=1 stops it once the sweep is shown).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PORT=${PORT:-3000}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tuneforge}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
SPEC=${1:-examples/births-lstm.yaml}
API="http://127.0.0.1:$PORT/api/v1"

bash infra/dev/install.sh
bash infra/dev/services.sh
npm run -s migrate

mkdir -p tmp
echo "[demo] starting the coordinator on port $PORT (log: tmp/coordinator.log)"
node -r ./tools/register.js apps/coordinator/src/main.ts >tmp/coordinator.log 2>&1 &
COORDINATOR=$!
trap 'kill $COORDINATOR 2>/dev/null || true; wait $COORDINATOR 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  curl -fs "$API/health" >/dev/null 2>&1 && break
  kill -0 $COORDINATOR 2>/dev/null || { cat tmp/coordinator.log; echo "[demo] the coordinator exited" >&2; exit 1; }
  sleep 0.2
done
curl -fs "$API/health" >/dev/null || { tail -20 tmp/coordinator.log; echo "[demo] the coordinator is not healthy" >&2; exit 1; }

echo "[demo] submitting $SPEC"
SWEEP=$(curl -fsS -X POST "$API/sweeps" -H 'content-type: application/yaml' --data-binary "@$SPEC")
SWEEP_ID=$(node -e 'console.log(JSON.parse(process.argv[1]).id)' "$SWEEP")
TRIALS=$(curl -fsS "$API/sweeps/$SWEEP_ID/trials?sort=number")
node -e '
  const sweep = JSON.parse(process.argv[1]), trials = JSON.parse(process.argv[2]);
  console.log(`\nsweep ${sweep.id} "${sweep.name}": ${sweep.status}, ${sweep.algorithm} search, seed ${sweep.seed}`);
  console.log(`  ${sweep.plannedTrials} trials planned, ${sweep.trialsCreated} created and queued (maxConcurrent ${sweep.spec.budget.maxConcurrent})`);
  console.table(trials.items.map((t) => ({ trial: t.number, status: t.status, seed: t.seed, ...t.config.hyperparameters })));
' "$SWEEP" "$TRIALS"
cat <<INFO
Where to look:
  sweep        $API/sweeps/$SWEEP_ID
  its trials   $API/sweeps/$SWEEP_ID/trials
  all sweeps   $API/sweeps
  health       $API/health
  API docs     http://127.0.0.1:$PORT/api/docs
  queue        redis-cli -n 0 keys 'tuneforge:trials:*'
Trials stay queued: the worker that trains them is not built yet (npm run worker says so and exits).
INFO
if [[ ${DEMO_EXIT:-0} == 1 ]]; then exit 0; fi
echo "[demo] the coordinator keeps running; Ctrl-C stops it"
wait $COORDINATOR
