#!/usr/bin/env bash
# Manages Hearth's private PostgreSQL 15 cluster. It listens on a unix socket only (no TCP port),
# so several clones and the test cluster never collide.
#   scripts/db.sh start|stop|status|wipe|url|psql [args]
# Environment: HEARTH_PG_DIR (default <repo>/var/pg), HEARTH_DB (default hearth).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
pg_dir=${HEARTH_PG_DIR:-$repo/var/pg}
db_name=${HEARTH_DB:-hearth}
data=$pg_dir/data
sock=$pg_dir/run
port=5432 # only names the socket file (.s.PGSQL.5432) inside $sock
bindir=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
[[ -x $bindir/initdb ]] || bindir=/usr/lib/postgresql/15/bin

# initdb and pg_ctl refuse to run as root: the cluster then belongs to the postgres user.
if (( EUID == 0 )); then
  owner=postgres
  as_owner() { runuser -u postgres -- "$@"; }
else
  owner=$(id -un)
  as_owner() { "$@"; }
fi

url() { echo "host=$sock port=$port dbname=$db_name user=$owner"; }

is_running() { [[ -f $data/postmaster.pid ]] && as_owner "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; }

start() {
  if (( ${#sock} > 90 )); then
    echo "db: socket folder path too long for a unix socket (${#sock} > 90): $sock" >&2; exit 1
  fi
  mkdir -p "$pg_dir"
  if (( EUID == 0 )); then
    # As root the cluster belongs to the postgres user, which must be able to enter every folder
    # above it. Folders it can't (a 0700 home or `mktemp -d` checkout) get "search" permission
    # for postgres alone (an ACL; o+x where ACLs are unavailable): it can pass through, not list.
    # From / down, so only the folders that really block it are changed.
    dirs=()
    dir=$(cd "$pg_dir" && pwd)
    while [[ $dir != / ]]; do
      dirs=("$dir" "${dirs[@]}")
      dir=$(dirname "$dir")
    done
    for dir in "${dirs[@]}"; do
      runuser -u postgres -- test -x "$dir" && continue
      if command -v setfacl >/dev/null && setfacl -m u:postgres:x "$dir" 2>/dev/null; then
        echo "db: let the postgres user pass through $dir (ACL u:postgres:x)" >&2
      else
        chmod o+x "$dir"
        echo "db: let other users pass through $dir (o+x), for the postgres user" >&2
      fi
    done
  fi
  if [[ ! -f $data/PG_VERSION ]]; then
    mkdir -p "$data" "$sock"
    (( EUID == 0 )) && chown -R postgres:postgres "$pg_dir"
    as_owner "$bindir/initdb" -D "$data" -U "$owner" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1 \
      || { cat "$pg_dir/initdb.log" >&2; exit 1; }
    cat >>"$data/postgresql.conf" <<CONF
# Hearth private cluster
listen_addresses = ''
unix_socket_directories = '$sock'
unix_socket_permissions = 0700
port = $port
synchronous_commit = on
max_connections = 200
shared_buffers = 128MB
fsync = on
CONF
  fi
  mkdir -p "$sock"; (( EUID == 0 )) && chown postgres:postgres "$sock"
  if ! is_running; then
    as_owner "$bindir/pg_ctl" -D "$data" -l "$pg_dir/postgres.log" -w -t 30 start >/dev/null \
      || { tail -n 20 "$pg_dir/postgres.log" >&2; exit 1; }
  fi
  if ! "$bindir/psql" "$(url | sed "s/dbname=$db_name/dbname=postgres/")" -Atqc \
      "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1; then
    "$bindir/psql" "$(url | sed "s/dbname=$db_name/dbname=postgres/")" -qc "CREATE DATABASE \"$db_name\""
  fi
}

stop() {
  if is_running; then as_owner "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo "running: $(url)"; else echo "stopped"; exit 3; fi ;;
  wipe) stop; rm -rf "$pg_dir"; echo "db: wiped $pg_dir" ;;
  url) url ;;
  psql) shift; exec "$bindir/psql" "$(url)" "$@" ;;
  *) echo "usage: $0 start|stop|status|wipe|url|psql" >&2; exit 2 ;;
esac
