#!/usr/bin/env bash
# Makes PostgreSQL and Redis reachable for Tuneforge on this machine, without Docker:
# reuses servers that already answer (DATABASE_URL, REDIS_URL; defaults on 127.0.0.1), starts
# installed ones that do not, and installs the Debian packages when run as root on a machine without them.
set -euo pipefail

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/tuneforge}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
STATE_DIR=${TUNEFORGE_STATE_DIR:-/var/tmp/tuneforge}

log() { printf '[services] %s\n' "$*"; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

# host and port of a URL like scheme://user@host:port/db
url_host() { local rest=${1#*://}; rest=${rest##*@}; rest=${rest%%/*}; echo "${rest%%:*}"; }
url_port() { local rest=${1#*://}; rest=${rest##*@}; rest=${rest%%/*}; [[ $rest == *:* ]] && echo "${rest##*:}" || echo "$2"; }

reachable() { timeout 1 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
wait_reachable() {
  for _ in $(seq 1 100); do reachable "$1" "$2" && return 0; sleep 0.1; done
  return 1
}
is_local() { [[ $1 == 127.* || $1 == localhost || $1 == ::1 ]]; }

install_packages() {
  [[ $(id -u) == 0 ]] || die "missing $*: install them (sudo apt-get install -y $*) or point the URL at a running server"
  command -v apt-get >/dev/null || die "missing $*, and this is not a Debian-like machine: install them by hand"
  log "installing $* from Debian's packages"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_redis() {
  local host port
  host=$(url_host "$REDIS_URL"); port=$(url_port "$REDIS_URL" 6379)
  if reachable "$host" "$port"; then log "Redis: reusing $host:$port"; return; fi
  is_local "$host" || die "Redis at $host:$port does not answer (REDIS_URL)"
  command -v redis-server >/dev/null || install_packages redis-server
  mkdir -p "$STATE_DIR"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$STATE_DIR" --logfile "$STATE_DIR/redis-$port.log"
  wait_reachable "$host" "$port" || die "Redis did not start on port $port (see $STATE_DIR/redis-$port.log)"
  log "Redis: started on $host:$port"
}

as_postgres() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_postgres() {
  local host port bin data
  host=$(url_host "$DATABASE_URL"); port=$(url_port "$DATABASE_URL" 5432)
  if reachable "$host" "$port"; then log "PostgreSQL: reusing $host:$port"; return; fi
  is_local "$host" || die "PostgreSQL at $host:$port does not answer (DATABASE_URL)"
  # A Debian cluster already set up on this port: start it.
  if command -v pg_lsclusters >/dev/null; then
    local cluster
    cluster=$(pg_lsclusters -h 2>/dev/null | awk -v p="$port" '$3 == p { print $1 " " $2; exit }')
    if [[ -n $cluster ]]; then
      log "PostgreSQL: starting Debian cluster $cluster"
      # shellcheck disable=SC2086
      pg_ctlcluster --skip-systemctl-redirect $cluster start || true
      if wait_reachable "$host" "$port"; then log "PostgreSQL: started on $host:$port"; return; fi
    fi
  fi
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [[ -z $bin ]]; then install_packages postgresql; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1); fi
  # Otherwise a cluster of our own, trust auth on loopback only (initdb refuses to run as root).
  data="$STATE_DIR/pg-$port"
  mkdir -p "$STATE_DIR"; chmod 777 "$STATE_DIR"
  if [[ ! -f $data/PG_VERSION ]]; then
    log "PostgreSQL: creating a cluster in $data"
    mkdir -p "$data"; [[ $(id -u) == 0 ]] && chown postgres:postgres "$data"
    as_postgres "$bin/initdb" -D "$data" -A trust -U postgres >/dev/null
  fi
  as_postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
    -o "-p $port -k $STATE_DIR -c listen_addresses=127.0.0.1" start >/dev/null
  wait_reachable "$host" "$port" || die "PostgreSQL did not start on port $port (see $data/server.log)"
  log "PostgreSQL: started on $host:$port"
}

ensure_postgres
ensure_redis
