#!/usr/bin/env bash
# `make bench`: every benchmark, each against its peer measured in the same run (bench/README.md).
#  1. HTTP: hearthd (release build) and a plain Node http server (bench/node_peer.mjs), with wrk,
#     for GET /healthz and the web client's largest script, sent plain and (as browsers ask for
#     it) with Accept-Encoding: gzip. Each server runs alone on core 0 (hearthd with one I/O
#     thread, Node is single-threaded) and wrk on core 1. Then the C++ micro-benchmarks.
#  2. Gateway and messaging (bench/gateway/parts.sh): fan-out, idle sessions, message create and
#     the reconnect storm and the cross-node hop through Redis, printed as one table.
#  3. Search (bench/search/parts.sh): GET /guilds/{id}/messages/search in a server of 1,000,000
#     messages, p50/p99 per kind of query.
#  4. Upload (bench/upload/parts.sh): a 25 MiB attachment through hearthd against `cp` + `sync`.
# Each pairing runs ROUNDS times (default 3), alternating servers; tables show medians.
# Environment: ROUNDS, DURATION (seconds per measured window, default 8), CONNECTIONS (default 32),
#   BENCH_ONLY=http,micro,fanout,idle,create,storm,crossnode,search,upload (a comma-separated subset; default: all),
#   FANOUT_CLIENTS (5000), FANOUT_TARGET (100000 deliveries/s), IDLE_SESSIONS (19000),
#   STORM_SESSIONS (10000), STORM_RATE (5 messages/s), CROSSNODE_MESSAGES (2000),
#   CROSSNODE_SYNC_COMMIT (off), SEARCH_MESSAGES (1000000), SEARCH_REQUESTS (200), SEARCH_WARMUP (20),
#   UPLOAD_RUNS (5).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
rounds=${ROUNDS:-3}
duration=${DURATION:-8}
connections=${CONNECTIONS:-32}
only=${BENCH_ONLY:-all}
want() { [[ $only == all || ",$only," == *",$1,"* ]]; }
gateway_parts=(fanout idle create storm crossnode)
want_gateway=""
for part in "${gateway_parts[@]}"; do want "$part" && want_gateway=yes; done

scripts/setup.sh --with-test-tools
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cmake --preset release "${launcher[@]}" >/dev/null
targets=(hearthd)
want micro && targets+=(hearth_micro_bench)
[[ -n $want_gateway ]] && targets+=(hearth_fanout_client hearth_floor)
cmake --build build/release --target "${targets[@]}" -j"$(nproc)" >/dev/null
if want http; then
  [[ -f web/dist/index.html ]] || make -s web >/dev/null
fi
# The Node peers take `ws` from the tests' package set.
if [[ -n $want_gateway && ! -d tests/node_modules/ws ]]; then
  (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi

export HEARTH_PG_DIR=$repo/var/bench/pg HEARTH_DB=hearth
scripts/db.sh start
work=$(mktemp -d)
server_pids=()
cleanup() {
  for pid in "${server_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/db.sh stop || true
  rm -rf "$work"
}
trap cleanup EXIT

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) {print "nan"; exit} print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# ---------------------------------------------------------------------------------------------
# 1. HTTP
server_cpu=(); load_cpu=()
if (( $(nproc) >= 2 )); then server_cpu=(taskset -c 0); load_cpu=(taskset -c 1); fi

# One wrk run on URL [extra header] [pipelined]; prints "requests_per_second p99_ms".
measure() {
  local out rps p99 header=()
  [[ -n ${2:-} ]] && header=(-H "$2")
  [[ -n ${3:-} ]] && header+=(-s bench/pipeline.lua)
  out=$("${load_cpu[@]}" wrk -t1 -c"$connections" -d"${duration}s" --latency "${header[@]}" "$1")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$out")
  echo "$rps $p99"
}

http_bench() {
  local asset asset_path hearthd_pid hearth_port node_port node_pid
  asset=$(ls -S web/dist/assets/*.js | head -n 1)
  asset_path=/assets/$(basename "$asset")
  "${server_cpu[@]}" build/release/hearthd --threads 1 --port 0 --port-file "$work/port" \
    --database-url "$(scripts/db.sh url)" --data-dir "$repo/var/bench/data" --web-root "$repo/web/dist" \
    --log-level warn &
  hearthd_pid=$!
  server_pids+=("$hearthd_pid")
  for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.1; done
  hearth_port=$(cat "$work/port")
  node_port=$((20000 + RANDOM % 20000))
  "${server_cpu[@]}" node bench/node_peer.mjs "$node_port" "$asset" >/dev/null &
  node_pid=$!
  server_pids+=("$node_pid")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$node_port/healthz" >/dev/null && break; sleep 0.1; done

  declare -A results
  local scenarios=(healthz healthz-p16 asset asset-gzip)
  local scenario hearth_url node_url header pipelined round rps p99
  for scenario in "${scenarios[@]}"; do
    hearth_url="http://127.0.0.1:$hearth_port/healthz"; node_url="http://127.0.0.1:$node_port/healthz"; header=""
    if [[ $scenario == asset* ]]; then
      hearth_url="http://127.0.0.1:$hearth_port$asset_path"; node_url="http://127.0.0.1:$node_port/asset"
    fi
    [[ $scenario == asset-gzip ]] && header="Accept-Encoding: gzip, deflate, br"
    pipelined=""; [[ $scenario == *-p16 ]] && pipelined=yes
    for round in $(seq "$rounds"); do
      echo "bench: $scenario round $round/$rounds" >&2
      read -r rps p99 < <(measure "$hearth_url" "$header" "$pipelined"); results[$scenario,hearth,rps]+="$rps "; results[$scenario,hearth,p99]+="$p99 "
      read -r rps p99 < <(measure "$node_url" "$header" "$pipelined"); results[$scenario,node,rps]+="$rps "; results[$scenario,node,p99]+="$p99 "
    done
  done
  kill "$hearthd_pid" "$node_pid" 2>/dev/null || true
  wait "$hearthd_pid" "$node_pid" 2>/dev/null || true

  echo
  echo "HTTP: wrk -t1 -c$connections -d${duration}s on core 1, each server alone on core 0; median of $rounds rounds"
  echo "healthz-p16: 16 requests pipelined per connection (bench/pipeline.lua)"
  echo "asset: $asset_path ($(stat -c %s "$asset") bytes; hearthd sends it gzipped when asked, the Node peer never does)"
  printf '%-11s | %-9s | %12s | %9s | %s\n' scenario server "requests/s" "p99 ms" "hearthd / node"
  printf -- '------------|-----------|--------------|-----------|---------------\n'
  local h_rps n_rps h_p99 n_p99 ratio
  for scenario in "${scenarios[@]}"; do
    h_rps=$(tr ' ' '\n' <<<"${results[$scenario,hearth,rps]}" | grep . | median)
    n_rps=$(tr ' ' '\n' <<<"${results[$scenario,node,rps]}" | grep . | median)
    h_p99=$(tr ' ' '\n' <<<"${results[$scenario,hearth,p99]}" | grep . | median)
    n_p99=$(tr ' ' '\n' <<<"${results[$scenario,node,p99]}" | grep . | median)
    ratio=$(awk -v a="$h_rps" -v b="$n_rps" 'BEGIN {printf "%.2fx", a / b}')
    # wrk times a pipelined batch as one request, so its latency figures mean nothing there.
    if [[ $scenario == *-p16 ]]; then h_p99="-"; n_p99="-"; fi
    printf '%-11s | %-9s | %12.0f | %9s | %s\n' "$scenario" hearthd "$h_rps" "$h_p99" "$ratio"
    printf '%-11s | %-9s | %12.0f | %9s |\n' "$scenario" "node http" "$n_rps" "$n_p99"
  done
}

micro_bench() {
  echo
  echo "Micro-benchmarks (Google Benchmark, median of 5 repetitions; each has its peer beside it):"
  build/release/bench/hearth_micro_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true 2>/dev/null |
    grep -E "^Benchmark|_median|^---"
}

want http && http_bench
want micro && micro_bench

# ---------------------------------------------------------------------------------------------
# 2. Gateway and messaging
if [[ -n $want_gateway ]]; then
  # shellcheck source=bench/gateway/parts.sh
  source bench/gateway/parts.sh
  gateway_bench
fi

# ---------------------------------------------------------------------------------------------
# 3. Search
if want search; then
  # shellcheck source=bench/search/parts.sh
  source bench/search/parts.sh
  search_bench
fi

# ---------------------------------------------------------------------------------------------
# 4. Upload
if want upload; then
  # shellcheck source=bench/upload/parts.sh
  source bench/upload/parts.sh
  upload_bench
fi
