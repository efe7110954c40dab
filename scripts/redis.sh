#!/usr/bin/env bash
# Manages a private Redis 7 server for Hearth's event bus across nodes (hearthd --redis) and for
# tests. It listens on a unix socket only (`port 0`: no TCP port to collide with), keeps nothing
# on disk (no RDB, no AOF), and runs as the caller (root or not).
#   scripts/redis.sh start|stop|status|url
# Environment: HEARTH_REDIS_DIR (default <repo>/var/redis).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
redis_dir=${HEARTH_REDIS_DIR:-$repo/var/redis}
server_bin=$(command -v redis-server || echo /usr/bin/redis-server)
cli_bin=$(command -v redis-cli || echo /usr/bin/redis-cli)

abs_dir() { realpath -m "$redis_dir"; }
sock_path() { echo "$(abs_dir)/redis.sock"; }
pid_file() { echo "$(abs_dir)/redis.pid"; }

url() { echo "unix://$(sock_path)"; }

pid() {
  local file; file=$(pid_file)
  [[ -s $file ]] || return 1
  local value; value=$(<"$file")
  [[ $value =~ ^[0-9]+$ ]] && kill -0 "$value" 2>/dev/null || return 1
  echo "$value"
}

answers() { [[ $("$cli_bin" -s "$(sock_path)" ping 2>/dev/null) == PONG ]]; }

is_running() { pid >/dev/null && answers; }

start() {
  [[ -x $server_bin ]] || { echo "redis: redis-server is missing (scripts/setup.sh --with-test-tools installs it)" >&2; exit 1; }
  local dir sock; dir=$(abs_dir); sock=$(sock_path)
  mkdir -p "$dir"
  if (( ${#sock} > 100 )); then
    echo "redis: socket path too long for a unix socket (${#sock} > 100): $sock" >&2; exit 1
  fi
  is_running && return 0
  # A server that crashed leaves its pid file and socket behind; both are rewritten below.
  cat >"$dir/redis.conf" <<CONF
# Hearth private Redis (scripts/redis.sh); rewritten at every start.
port 0
unixsocket $sock
unixsocketperm 700
dir $dir
pidfile $dir/redis.pid
logfile $dir/redis.log
daemonize yes
save ""
appendonly no
protected-mode yes
databases 16
CONF
  "$server_bin" "$dir/redis.conf" || { tail -n 20 "$dir/redis.log" >&2 2>/dev/null; exit 1; }
  for _ in $(seq 1 100); do
    is_running && return 0
    sleep 0.05
  done
  echo "redis: did not answer on $sock within 5 s" >&2
  tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
  exit 1
}

stop() {
  local value
  value=$(pid) || return 0
  # SHUTDOWN NOSAVE answers nothing when it works; a signal does the same if the socket is gone.
  "$cli_bin" -s "$(sock_path)" shutdown nosave >/dev/null 2>&1 || kill -TERM "$value" 2>/dev/null || true
  for _ in $(seq 1 200); do
    kill -0 "$value" 2>/dev/null || { rm -f "$(pid_file)"; return 0; }
    sleep 0.05
  done
  echo "redis: pid $value did not exit within 10 s" >&2
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if is_running; then echo "running: $(url)"; else echo "stopped"; exit 3; fi ;;
  url) url ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 2 ;;
esac
