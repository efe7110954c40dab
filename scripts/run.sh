#!/usr/bin/env bash
# `make run`: installs what is missing, builds hearthd and the web client, starts the private
# PostgreSQL under var/ and serves Hearth at http://127.0.0.1:8080 until Ctrl-C. Data is kept
# across runs (`make db-wipe` deletes it). Extra arguments go to hearthd (see hearthd --help).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

scripts/setup.sh
echo "==> building hearthd (build/release)"
cmake --preset release >/dev/null
cmake --build build/release --target hearthd -j"$(nproc)"
echo "==> building the web client (web/dist)"
(cd web && { [[ -d node_modules ]] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build --silent)
echo "==> starting PostgreSQL (var/pg)"
scripts/db.sh start
db_url=$(scripts/db.sh url)

stop_db() { scripts/db.sh stop || true; }
trap stop_db EXIT
echo "==> Hearth at http://127.0.0.1:${HEARTH_PORT:-8080} (Ctrl-C stops it; data stays in var/)"
# Not exec: the trap must stop PostgreSQL once hearthd has drained.
build/release/hearthd --data-dir "$repo/var" --web-root "$repo/web/dist" --database-url "$db_url" \
  --port "${HEARTH_PORT:-8080}" "$@" &
hearthd_pid=$!
trap 'kill -TERM $hearthd_pid 2>/dev/null || true' INT TERM
wait $hearthd_pid || true
wait $hearthd_pid 2>/dev/null || true
