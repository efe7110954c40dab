# shellcheck shell=bash disable=SC2154 # repo, work, rounds... come from scripts/bench.sh
# The gateway and messaging benchmarks of `make bench` (bench/README.md), sourced by
# scripts/bench.sh, which provides: repo, rounds, duration, connections, work, want, median,
# server_pids, and a running bench PostgreSQL (scripts/db.sh with HEARTH_PG_DIR=var/bench/pg).
# Each part runs ROUNDS times, every server freshly started for each round; one table at the end.

fanout_clients=${FANOUT_CLIENTS:-5000}
fanout_target=${FANOUT_TARGET:-100000}
idle_sessions=${IDLE_SESSIONS:-19000}
storm_sessions=${STORM_SESSIONS:-10000}
storm_rate=${STORM_RATE:-5}
load_bin=$repo/build/release/bench/hearth_fanout_client
floor_bin=$repo/build/release/bench/hearth_floor
data_dir=$repo/var/bench/data # hearthd's --data-dir: its token key, kept with the bench database
key_file=$data_dir/keys/jwt-hs256.key
ids_file=$repo/var/bench/gateway-accounts.txt
logs=$repo/var/bench/logs/$(date +%Y%m%d-%H%M%S)
pg_bin=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
db_url=$(scripts/db.sh url)
# Benchmark accounts get ids from a fixed snowflake (2023-11-14), far below any id hearthd makes
# now: users at base + i, their sign-in sessions at base + 2^21 + i, the poster's at base + 3·2^20.
account_base=$(((1700000000000 - 1420070400000) << 22))
mkdir -p "$logs"

# hearthd's PostgreSQL connections (split across its threads): twice CONNECTIONS in the session
# parts, as they have always been measured; the create part sets it to CONNECTIONS, as many as
# pgbench has clients (a send holds one pooled connection at a time, never two).
db_pool=$((2 * connections))

sql() { "$pg_bin/psql" "$db_url" -Atq -v ON_ERROR_STOP=1 -c "$1"; }
val() { awk -F= -v key="$2" '$1 == key {print $2; exit}' "$1"; }

cores=$(nproc)
gw_server_cpu=(); gw_load_cpu=(); gw_threads=$cores
if (( cores >= 4 )); then
  half=$((cores / 2))
  gw_server_cpu=(taskset -c "0-$((half - 1))"); gw_load_cpu=(taskset -c "$half-$((cores - 1))"); gw_threads=$half
  placement="servers on cores 0-$((half - 1)) (hearthd --threads $half), load generators on cores $half-$((cores - 1))"
else
  placement="$cores cores only: each server, the load generator and PostgreSQL share them (no taskset; hearthd --threads $cores)"
fi

# start_server hearthd|ws|floor [hearthd flags]: sets srv_pid and srv_port.
start_server() {
  local kind=$1
  shift
  rm -f "$work/port"
  case $kind in
  hearthd)
    "${gw_server_cpu[@]}" "$repo/build/release/hearthd" --threads "$gw_threads" --port 0 --port-file "$work/port" \
      --database-url "$db_url" --data-dir "$data_dir" --log-level warn --auth-requests-per-minute 1000000 \
      --db-pool-size "$db_pool" "$@" >>"$logs/hearthd.log" 2>&1 &
    ;;
  ws) "${gw_server_cpu[@]}" node bench/gateway/ws_peer.mjs 0 "$work/port" >>"$logs/ws_peer.log" 2>&1 & ;;
  floor) "${gw_server_cpu[@]}" "$floor_bin" 0 "$work/port" >>"$logs/floor.log" 2>&1 & ;;
  esac
  srv_pid=$!
  server_pids+=("$srv_pid")
  for _ in $(seq 300); do [[ -s $work/port ]] && break; sleep 0.1; done
  srv_port=$(cat "$work/port" 2>/dev/null || true)
  for _ in $(seq 100); do
    [[ -n $srv_port ]] && curl -sf "http://127.0.0.1:$srv_port/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "bench: $kind did not start (logs in $logs)" >&2
  return 1
}
stop_server() {
  kill "$srv_pid" 2>/dev/null || true
  wait "$srv_pid" 2>/dev/null || true
}

# The bench server, its first text channel, an invite, and `need` accounts that joined through it.
seed_gateway() {
  local need=$1 owner guild invite joining
  start_server hearthd
  local api=http://127.0.0.1:$srv_port/api/v1
  owner=$(sql "SELECT id FROM users WHERE username = 'bench_owner'")
  if [[ -z $owner ]]; then
    curl -sf -X POST -H 'content-type: application/json' "$api/auth/register" \
      -d '{"email":"bench-owner@example.org","username":"bench_owner","password":"bench correct horse battery"}' \
      >/dev/null
    owner=$(sql "SELECT id FROM users WHERE username = 'bench_owner'")
  fi
  owner_id=$owner
  local owner_session=$((account_base + 3 * 1048576))
  sql "INSERT INTO auth_sessions (id, user_id, client, expires_at) VALUES ($owner_session, $owner, 'hearth-bench',
       now() + interval '10 years') ON CONFLICT DO NOTHING"
  poster="$owner:$owner_session"
  local token
  token=$("$load_bin" token --port "$srv_port" --key-file "$key_file" --poster "$poster")
  guild=$(sql "SELECT id FROM guilds WHERE owner_id = $owner AND name = 'bench' ORDER BY id LIMIT 1")
  if [[ -z $guild ]]; then
    curl -sf -X POST -H "authorization: Bearer $token" -H 'content-type: application/json' "$api/guilds" \
      -d '{"name":"bench"}' >/dev/null
    guild=$(sql "SELECT id FROM guilds WHERE owner_id = $owner AND name = 'bench' ORDER BY id LIMIT 1")
  fi
  guild_id=$guild
  channel=$(sql "SELECT id FROM channels WHERE guild_id = $guild AND type = 0 ORDER BY position, id LIMIT 1")
  invite=$(sql "SELECT code FROM invites WHERE guild_id = $guild AND max_age = 0 AND max_uses = 0 LIMIT 1")
  if [[ -z $invite ]]; then
    curl -sf -X POST -H "authorization: Bearer $token" -H 'content-type: application/json' \
      "$api/channels/$channel/invites" -d '{"max_age":0,"max_uses":0}' >/dev/null
    invite=$(sql "SELECT code FROM invites WHERE guild_id = $guild AND max_age = 0 AND max_uses = 0 LIMIT 1")
  fi
  # Accounts go straight into PostgreSQL: through the API, each sign-up costs an Argon2id hash
  # (tens of ms here), so 19,000 would take minutes. They share the owner's password hash, and
  # each gets one long-lived sign-in session; tokens are minted per run with hearthd's key.
  sql "INSERT INTO users (id, email, username, password_hash, email_verified)
       SELECT $account_base + i, 'bench' || i || '@example.org', 'bench_' || i,
              (SELECT password_hash FROM users WHERE id = $owner), true
       FROM generate_series(0, $need - 1) AS i ON CONFLICT DO NOTHING"
  sql "INSERT INTO auth_sessions (id, user_id, client, expires_at)
       SELECT $account_base + 2097152 + i, $account_base + i, 'hearth-bench', now() + interval '10 years'
       FROM generate_series(0, $need - 1) AS i ON CONFLICT DO NOTHING"
  sql "SELECT $account_base + i, $account_base + 2097152 + i FROM generate_series(0, $need - 1) AS i" |
    tr '|' ' ' >"$ids_file"
  # Members join through the invite, as people following a link do (kept across runs).
  joining=$work/joining
  sql "SELECT $account_base + i, $account_base + 2097152 + i FROM generate_series(0, $need - 1) AS i
       WHERE NOT EXISTS (SELECT 1 FROM members WHERE guild_id = $guild AND user_id = $account_base + i)" |
    tr '|' ' ' >"$joining"
  if [[ -s $joining ]]; then
    echo "bench: $(wc -l <"$joining") accounts join the bench server through its invite" >&2
    "$load_bin" join --port "$srv_port" --key-file "$key_file" --ids "$joining" --invite "$invite" \
      --post-connections 16 >"$logs/join.txt" 2>>"$logs/join.log" || {
      echo "bench: joining failed: $(cat "$logs/join.txt")" >&2
      stop_server
      return 1
    }
  fi
  # Every run starts from an empty channel; pgbench's inserts take ids from their own sequence.
  sql "DELETE FROM messages WHERE guild_id = $guild"
  # As autovacuum would, soon: otherwise the first round's reads of the channel's newest message
  # (hearthd reads last_message_id from the messages index) step over every deleted entry.
  sql "VACUUM messages"
  sql "CREATE SEQUENCE IF NOT EXISTS bench_message_ids START 4000000000000000000"
  stop_server
}

declare -A gw # "part,server,metric" → values of each round, space-separated
declare -A gw_notes # "part,server" → lines for the details below the table
add() { gw[$1,$2,$3]+="$4 "; }
med() { tr ' ' '\n' <<<"${gw[$1,$2,$3]:-}" | grep -E '^-?[0-9.]+$' | median; }
sum() { tr ' ' '\n' <<<"${gw[$1,$2,$3]:-}" | grep -E '^[0-9]+$' | awk '{s += $1} END {print NR ? s : "nan"}'; }
note() { gw_notes[$1,$2]+="    $3"$'\n'; }

fanout_part() {
  local round kind out args frame_bytes=600
  for round in $(seq "$rounds"); do
    for kind in hearthd ws floor; do
      echo "bench: fanout $kind round $round/$rounds ($fanout_clients clients)" >&2
      start_server "$kind" || continue
      out=$logs/fanout-$kind-$round.txt
      args=(fanout --port "$srv_port" --ids "$ids_file" --count "$fanout_clients" --server-pid "$srv_pid"
        --target "$fanout_target" --duration "$duration")
      if [[ $kind == hearthd ]]; then
        args+=(--key-file "$key_file" --channel "$channel" --poster "$poster" --pg-pid "$pg_pid")
      else
        args+=(--frame-bytes "$frame_bytes")
      fi
      if "${gw_load_cpu[@]}" "$load_bin" "${args[@]}" >"$out" 2>>"$logs/fanout-$kind-$round.log"; then
        [[ $kind == hearthd ]] && frame_bytes=$(val "$out" frame_bytes)
        add fanout "$kind" rate "$(val "$out" fixed_rate)"
        add fanout "$kind" cpu "$(val "$out" fixed_cpu_us_per_delivery)"
        add fanout "$kind" pg_cpu "$(val "$out" fixed_pg_cpu_us_per_delivery)"
        add fanout "$kind" p50 "$(val "$out" fixed_p50_ms)"
        add fanout "$kind" p99 "$(val "$out" fixed_p99_ms)"
        add fanout "$kind" missing "$(val "$out" fixed_missing)"
        add fanout "$kind" saturation "$(val "$out" saturation_rate)"
        note fanout "$kind" "round $round: $(val "$out" connected) identified in $(val "$out" connect_seconds) s;\
 load generator $(val "$out" fixed_load_cpu_us_per_delivery) µs CPU per delivery;\
 fixed: $(val "$out" fixed_messages) messages ($(val "$out" fixed_post_failures) not answered 2xx),\
 $(val "$out" fixed_duplicates) duplicates,\
 POST p99 $(val "$out" fixed_post_p99_ms) ms, closes $(val "$out" fixed_closes);\
 ramp: $(grep -o '^ramp_step_[0-9]*=.*' "$out" | sed 's/ramp_step_[0-9]*=//' | tr '\n' ' ')(offered/delivered),\
 stop $(val "$out" ramp_stop), $(val "$out" ramp_missing) missing, closes $(val "$out" ramp_closes)"
      else
        note fanout "$kind" "round $round: FAILED: $(tail -n 2 "$logs/fanout-$kind-$round.log" | tr '\n' ' ')"
      fi
      stop_server
    done
  done
}

idle_part() {
  local round kind out args
  for round in $(seq "$rounds"); do
    for kind in hearthd ws; do
      echo "bench: idle $kind round $round/$rounds ($idle_sessions sessions)" >&2
      start_server "$kind" || continue
      out=$logs/idle-$kind-$round.txt
      args=(idle --port "$srv_port" --ids "$ids_file" --count "$idle_sessions" --server-pid "$srv_pid")
      [[ $kind == hearthd ]] && args+=(--key-file "$key_file")
      if "${gw_load_cpu[@]}" "$load_bin" "${args[@]}" >"$out" 2>>"$logs/idle-$kind-$round.log"; then
        add idle "$kind" rate "$(val "$out" connect_rate)"
        add idle "$kind" rss "$(val "$out" idle_rss_per_session)"
        add idle "$kind" slab "$(val "$out" idle_kernel_slab_per_session)"
        add idle "$kind" buffers "$(val "$out" idle_kernel_buffers_per_session)"
        add idle "$kind" missing "$(val "$out" connect_failed)"
        note idle "$kind" "round $round: $(val "$out" idle_warm_sessions) + $(val "$out" connected) identified (the\
 second group in $(val "$out" connect_seconds) s), RSS $(val "$out" idle_rss_before) -> $(val "$out" idle_rss_warm) ->\
 $(val "$out" idle_rss_after) bytes; from the start, over everyone: $(val "$out" idle_rss_whole_per_session) bytes per\
 session$(
          f=$(val "$out" connect_failures); [[ -n $f ]] && echo ", failures $f")"
      else
        note idle "$kind" "round $round: FAILED: $(tail -n 2 "$logs/idle-$kind-$round.log" | tr '\n' ' ')"
      fi
      stop_server
    done
  done
}

# wrk's latency figure (e.g. 3.21ms, 850.00us, 1.02s) in milliseconds.
wrk_ms() {
  awk -v p="$2" '$1 == p {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)}
    else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' "$1"
}

create_part() {
  local round out token errors db_pool=$connections # start_server reads it
  for round in $(seq "$rounds"); do
    echo "bench: message create round $round/$rounds" >&2
    if start_server hearthd; then
      out=$logs/create-hearthd-$round.txt
      token=$("$load_bin" token --port "$srv_port" --key-file "$key_file" --poster "$poster")
      # A warm-up first: hearthd opens its pooled connections on demand, pgbench before it measures.
      HEARTH_BENCH_TOKEN=$token wrk -t1 -c"$connections" -d2s -s bench/gateway/message_create.lua \
        "http://127.0.0.1:$srv_port/api/v1/channels/$channel/messages" >/dev/null
      HEARTH_BENCH_TOKEN=$token "${gw_load_cpu[@]}" wrk -t1 -c"$connections" -d"${duration}s" --latency \
        -s bench/gateway/message_create.lua "http://127.0.0.1:$srv_port/api/v1/channels/$channel/messages" >"$out"
      errors=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
      add create hearthd rate "$(awk '/^Requests\/sec:/ {print $2}' "$out")"
      add create hearthd p50 "$(wrk_ms "$out" 50%)"
      add create hearthd p99 "$(wrk_ms "$out" 99%)"
      add create hearthd missing "${errors:-0}"
      stop_server
    fi
    out=$logs/create-pgbench-$round.txt
    rm -f "$work"/pgbench_log.*
    (cd "$work" && "${gw_load_cpu[@]}" "$pg_bin/pgbench" -n -M prepared -c "$connections" -j 1 -T "$duration" \
      -D channel="$channel" -D guild="$guild_id" -D author="$owner_id" -f "$repo/bench/gateway/message_insert.sql" \
      -l "$db_url") >"$out" 2>&1 || true
    add create pgbench rate "$(awk '/^tps = / {print $3; exit}' "$out")"
    # Per-transaction log lines: client, transaction, latency µs, ...
    cat "$work"/pgbench_log.* 2>/dev/null | awk '{print $3 / 1000}' | sort -g >"$work/pgbench_latency"
    local count
    count=$(wc -l <"$work/pgbench_latency")
    if ((count > 0)); then
      add create pgbench p50 "$(sed -n "$(((count + 1) / 2))p" "$work/pgbench_latency")"
      add create pgbench p99 "$(sed -n "$(((count * 99 + 99) / 100))p" "$work/pgbench_latency")"
    fi
    add create pgbench missing "$(awk '/number of failed transactions:/ {print $5; exit}' "$out" | grep . || echo 0)"
  done
}

storm_part() {
  local round out
  for round in $(seq "$rounds"); do
    echo "bench: reconnect storm round $round/$rounds ($storm_sessions sessions)" >&2
    start_server hearthd || continue
    out=$logs/storm-hearthd-$round.txt
    if "${gw_load_cpu[@]}" "$load_bin" storm --port "$srv_port" --ids "$ids_file" --count "$storm_sessions" \
      --server-pid "$srv_pid" --key-file "$key_file" --channel "$channel" --poster "$poster" \
      --storm-rate "$storm_rate" >"$out" 2>>"$logs/storm-hearthd-$round.log"; then
      # "Never" (-1) counts as later than any time in the medians.
      add storm hearthd p50 "$(val "$out" storm_p50_ms | sed 's/^-1.*/999999999/')"
      add storm hearthd p99 "$(val "$out" storm_p99_ms | sed 's/^-1.*/999999999/')"
      add storm hearthd missing "$(val "$out" storm_missing)"
      add storm hearthd rate "$(awk -v n="$(val "$out" storm_resumed)" -v ms="$(val "$out" storm_all_ms)" \
        'BEGIN {if (ms > 0) printf "%.0f", n / (ms / 1000); else print "nan"}')"
      note storm hearthd "round $round: $(val "$out" storm_dropped) dropped, $(val "$out" storm_resumed) resumed,\
 $(val "$out" storm_invalid) INVALID_SESSION, $(val "$out" storm_failed) failed, $(val "$out" storm_pending) still\
 waiting after 120 s; all back in $(fmt "$(val "$out" storm_all_ms)" "%.0f ms");\
 $(val "$out" storm_messages) messages ($(val "$out" storm_messages_before_drop) before the drop,\
 $(val "$out" storm_post_failures) not answered 2xx),\
 $(val "$out" storm_duplicates) duplicates, closes $(val "$out" storm_closes)"
    else
      note storm hearthd "round $round: FAILED: $(tail -n 2 "$logs/storm-hearthd-$round.log" | tr '\n' ' ')"
    fi
    stop_server
  done
}

# Cross-node: the added latency of the Redis hop. With --redis every event goes through one Redis
# Stream (XADD by the node that publishes it, XREAD BLOCK by every node, itself included), so a
# message posted on node A reaches a client of node B, or of A, only after that round trip.
# Messages are posted one at a time (bench/gateway/crossnode.mjs) and timed from the start of the
# POST to the MESSAGE_CREATE's receipt: "1 node" is one hearthd without --redis (the in-process
# bus), "A->B redis" two nodes sharing the database, Redis and the token key, posting on A and
# receiving on B, "A->A redis" the same two nodes with the client on A. The three run side by
# side and take turns in blocks of 50 messages, so the machine's load weighs on them alike.
# hearthd's commits are not waited for on disk here (synchronous_commit, CROSSNODE_SYNC_COMMIT):
# the three cases commit alike, and on a shared disk the flush's jitter (milliseconds) would
# drown the fraction of a millisecond measured. The create part measures durable commits.
crossnode_messages=${CROSSNODE_MESSAGES:-2000}
crossnode_sync_commit=${CROSSNODE_SYNC_COMMIT:-off}
redis_pid=""
start_redis() {
  local dir=$work/redis
  rm -rf "$dir"
  mkdir -p "$dir"
  redis_url="unix://$dir/redis.sock"
  "${gw_server_cpu[@]}" redis-server --port 0 --unixsocket "$dir/redis.sock" --unixsocketperm 700 --save '' \
    --appendonly no --dir "$dir" >>"$logs/redis.log" 2>&1 &
  redis_pid=$!
  server_pids+=("$redis_pid")
  for _ in $(seq 100); do
    [[ $(redis-cli -s "$dir/redis.sock" ping 2>/dev/null) == PONG ]] && return 0
    sleep 0.05
  done
  echo "bench: redis-server did not start (logs in $logs)" >&2
  return 1
}
stop_redis() {
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
}

crossnode_part() {
  local round out kind s_port a_port token lost refused
  # start_server reads db_url: this part's servers get their own commit setting.
  local db_url="$db_url options='-c synchronous_commit=$crossnode_sync_commit'"
  for round in $(seq "$rounds"); do
    echo "bench: crossnode round $round/$rounds ($crossnode_messages messages per case)" >&2
    local pids=()
    start_redis || continue
    # The single node and the two Redis nodes run side by side; the client's cases take turns.
    if start_server hearthd; then
      s_port=$srv_port; pids+=("$srv_pid")
      if start_server hearthd --redis "$redis_url" --worker-id 1 --jwt-key-file "$key_file"; then
        a_port=$srv_port; pids+=("$srv_pid")
        if start_server hearthd --redis "$redis_url" --worker-id 2 --jwt-key-file "$key_file"; then
          pids+=("$srv_pid")
          out=$logs/crossnode-$round.txt
          token=$("$load_bin" token --port "$s_port" --key-file "$key_file" --poster "$poster")
          if "${gw_load_cpu[@]}" node bench/gateway/crossnode.mjs --token "$token" --channel "$channel" \
            --count "$crossnode_messages" --case "single=$s_port:$s_port" --case "remote=$a_port:$srv_port" \
            --case "local=$a_port:$a_port" >"$out" 2>>"$logs/crossnode-$round.log"; then
            for kind in single remote local; do
              add crossnode "$kind" p50 "$(val "$out" "${kind}_p50_ms")"
              add crossnode "$kind" p99 "$(val "$out" "${kind}_p99_ms")"
              lost=$(val "$out" "${kind}_missing"); refused=$(val "$out" "${kind}_failures")
              add crossnode "$kind" missing "$((${lost:-0} + ${refused:-0}))"
              note crossnode "$kind" "round $round: $(val "$out" "${kind}_messages") messages; receipt p50\
 $(val "$out" "${kind}_p50_ms") ms, p99 $(val "$out" "${kind}_p99_ms") ms, mean $(val "$out" "${kind}_mean_ms") ms;\
 POST answered p50 $(val "$out" "${kind}_post_p50_ms") ms, p99 $(val "$out" "${kind}_post_p99_ms") ms; receipt − answer\
 p50 $(val "$out" "${kind}_after_answer_p50_ms") ms;\
 ${lost:-?} missing, ${refused:-?} not answered 2xx"
            done
            note crossnode remote "round $round: A->B p50 minus 1 node p50 in this round: $(signed "$(awk \
              -v b="$(val "$out" remote_p50_ms)" -v a="$(val "$out" single_p50_ms)" 'BEGIN {print b - a}')") ms"
            # For scale: a bare XADD round trip on the same socket (one client, one at a time).
            note crossnode remote "round $round: bare Redis XADD round trip (redis-benchmark -c 1) p50 $(
              redis-benchmark -s "${redis_url#unix://}" -c 1 -n 2000 --csv XADD hearth:bench:rtt '*' k e p crossnode \
                2>/dev/null | awk -F'","' 'NR == 2 {print $5}') ms"
          else
            note crossnode single "round $round: FAILED: $(tail -n 2 "$logs/crossnode-$round.log" | tr '\n' ' ')"
          fi
        fi
      fi
    fi
    for srv_pid in "${pids[@]}"; do stop_server; done
    stop_redis
  done
}

# A number in printf format $2; "-" when there is none, "never" for a time never reached.
fmt() {
  awk -v v="$1" -v f="$2" 'BEGIN {if (v == "" || v == "nan") print "-"; else if (v < 0 || v >= 999999999) print "never"
    else printf f, v}'
}
signed() { awk -v v="$1" 'BEGIN {if (v == "" || v == "nan") print "-"; else printf "%+.3f", v}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "" || b == "" || a == "nan" || b == "nan" || b == 0) print "?"; else printf "%.2fx", a / b}'; }
kib() { awk -v v="$1" 'BEGIN {if (v == "" || v == "nan") print "-"; else printf "%.1f KiB", v / 1024}'; }

row() { # part server rate cpu p50 p99 missing saturation memory versus
  printf '%-9s | %-10s | %9s | %9s | %8s | %8s | %7s | %12s | %-24s | %s\n' "$@"
}

print_gateway_table() {
  echo
  echo "Gateway and messaging: medians of $rounds rounds (\"missing\" is the total over all rounds)."
  echo "Placement: $placement."
  echo "Load: $load_start at the start, $(uptime | sed 's/.*load average/load average/') at the end."
  want fanout && cat <<EOF
fanout: $fanout_clients identified clients in one channel; messages posted for ${duration} s at $fanout_target deliveries/s
  (rate), then a ramp (x1.5 per 3 s step) to saturation. CPU = server process µs per delivery (/proc utime+stime);
  p50/p99 = post -> receipt. The peers broadcast one pre-serialised frame of the same size.
EOF
  want idle && cat <<EOF
idle: $idle_sessions identified idle sessions, a tenth first, then the rest; rate = the rest's connect+identify per
  second; memory = process RSS growth from after the first tenth, per later session (what one more session costs;
  the details give the growth from the start over all) + kernel slab (sockets, inodes, dentries, files, epoll; both
  ends of each connection) per session.
EOF
  want create && cat <<EOF
create: POST /channels/{id}/messages over $connections connections (wrk) vs pgbench running the same INSERT
  (bench/gateway/message_insert.sql) with $connections clients; durable commits; missing = non-2xx / failed.
  hearthd gets --db-pool-size $connections, as many connections as pgbench.
EOF
  want crossnode && cat <<EOF
crossnode: synchronous_commit=$crossnode_sync_commit; $crossnode_messages messages per case posted one at a time (the next once answered and received, +1 ms),
  the three cases side by side taking turns in blocks of 50; p50/p99 = POST start -> MESSAGE_CREATE receipt on one gateway client.
  "1 node": hearthd without --redis; "A->B redis": two hearthd with --redis (one Redis Stream) sharing the
  database, posted on A, client on B; "A->A redis": client on A. missing = receipts not within 5 s + POSTs not 2xx.
EOF
  want storm && cat <<EOF
storm: $storm_sessions sessions drop their TCP connections at once and RESUME while $storm_rate messages/s are posted;
  p50/p99 = time from the drop until 50%/99% have RESUMED; rate = sessions back per second; missing = messages
  not received exactly once (per client and message).
EOF
  row part server "rate /s" "CPU us" "p50 ms" "p99 ms" missing "saturation/s" "memory / session" "against the peer; goal"
  echo "----------|------------|-----------|-----------|----------|----------|---------|--------------|--------------------------|-----------------------"
  local kind label
  if want fanout; then
    local h_cpu w_cpu f_cpu h_sat w_sat
    h_cpu=$(med fanout hearthd cpu); w_cpu=$(med fanout ws cpu); f_cpu=$(med fanout floor cpu)
    h_sat=$(med fanout hearthd saturation); w_sat=$(med fanout ws saturation)
    for kind in hearthd ws floor; do
      case $kind in hearthd) label=hearthd ;; ws) label="node ws" ;; floor) label="floor (C)" ;; esac
      local versus=""
      if [[ $kind == hearthd ]]; then
        versus="CPU $(ratio "$h_cpu" "$f_cpu") floor, $(ratio "$h_cpu" "$w_cpu") ws; saturation $(ratio "$h_sat" "$w_sat") ws"
        versus+=" (+$(fmt "$(med fanout hearthd pg_cpu)" %.2f) µs PostgreSQL); goal CPU <= 1.25x floor, p99 < 30 ms,"
        versus+=" 0 missing, saturation >= 2x ws"
      fi
      row fanout "$label" "$(fmt "$(med fanout $kind rate)" %.0f)" "$(fmt "$(med fanout $kind cpu)" %.2f)" \
        "$(fmt "$(med fanout $kind p50)" %.2f)" "$(fmt "$(med fanout $kind p99)" %.2f)" \
        "$(fmt "$(sum fanout $kind missing)" %d)" "$(fmt "$(med fanout $kind saturation)" %.0f)" - "$versus"
    done
  fi
  if want idle; then
    for kind in hearthd ws; do
      [[ $kind == hearthd ]] && label=hearthd || label="node ws"
      local memory versus=""
      memory="$(kib "$(med idle $kind rss)") + $(kib "$(med idle $kind slab)") kernel"
      if [[ $kind == hearthd ]]; then
        versus="process memory $(ratio "$(med idle hearthd rss)" "$(med idle ws rss)") ws, connect rate"
        versus+=" $(ratio "$(med idle hearthd rate)" "$(med idle ws rate)") ws; goal <= 3 KiB process memory"
      fi
      row idle "$label" "$(fmt "$(med idle $kind rate)" %.0f)" - - - "$(fmt "$(sum idle $kind missing)" %d)" - \
        "$memory" "$versus"
    done
  fi
  if want create; then
    local versus
    versus="$(ratio "$(med create hearthd rate)" "$(med create pgbench rate)") pgbench; goal >= 0.85x, p99 < 10 ms"
    row create hearthd "$(fmt "$(med create hearthd rate)" %.0f)" - "$(fmt "$(med create hearthd p50)" %.2f)" \
      "$(fmt "$(med create hearthd p99)" %.2f)" "$(fmt "$(sum create hearthd missing)" %d)" - - "$versus"
    row create pgbench "$(fmt "$(med create pgbench rate)" %.0f)" - "$(fmt "$(med create pgbench p50)" %.2f)" \
      "$(fmt "$(med create pgbench p99)" %.2f)" "$(fmt "$(sum create pgbench missing)" %d)" - - ""
  fi
  if want storm; then
    local p99 missing verdict
    p99=$(med storm hearthd p99)
    missing=$(sum storm hearthd missing)
    verdict=missed
    awk -v t="$p99" -v m="$missing" 'BEGIN {exit !(t != "nan" && t >= 0 && t < 5000 && m == 0)}' && verdict=met
    row storm hearthd "$(fmt "$(med storm hearthd rate)" %.0f)" - "$(fmt "$(med storm hearthd p50)" %.0f)" \
      "$(fmt "$p99" %.0f)" "$(fmt "$missing" %d)" - - "no peer; goal 99% back < 5 s, none missed: $verdict"
  fi
  if want crossnode; then
    local single remote added verdict
    single=$(med crossnode single p50); remote=$(med crossnode remote p50)
    added=$(awk -v b="$remote" -v a="$single" 'BEGIN {if (a == "nan" || b == "nan") print "nan"; else print b - a}')
    verdict=missed
    awk -v d="$added" 'BEGIN {exit !(d != "nan" && d < 0.5)}' && verdict=met
    for kind in single remote local; do
      case $kind in single) label="1 node" ;; remote) label="A->B redis" ;; local) label="A->A redis" ;; esac
      local versus=""
      case $kind in
      single) versus="in-process bus: the baseline" ;;
      remote) versus="added p50 $(signed "$added") ms over 1 node; goal < 0.5 ms: $verdict" ;;
      local) versus="added p50 $(signed "$(awk -v b="$(med crossnode local p50)" -v a="$single" \
        'BEGIN {if (a == "nan" || b == "nan") print "nan"; else print b - a}')") ms over 1 node" ;;
      esac
      row crossnode "$label" - - "$(fmt "$(med crossnode $kind p50)" %.3f)" "$(fmt "$(med crossnode $kind p99)" %.3f)" \
        "$(fmt "$(sum crossnode $kind missing)" %d)" - - "$versus"
    done
  fi
  echo
  echo "Details (logs and raw key=value results in ${logs#"$repo"/}):"
  local key
  for key in fanout,hearthd fanout,ws fanout,floor idle,hearthd idle,ws storm,hearthd crossnode,single \
    crossnode,remote crossnode,local; do
    [[ -n ${gw_notes[$key]:-} ]] || continue
    echo "  ${key/,/ }:"
    printf '%s' "${gw_notes[$key]}"
  done
  local closes errors waits
  closes=$(grep -c "outbound queue over" "$logs/hearthd.log" 2>/dev/null || true)
  errors=$(grep -c -E " (error|critical) " "$logs/hearthd.log" 2>/dev/null || true)
  waits=$(grep -c "no PostgreSQL connection free" "$logs/hearthd.log" 2>/dev/null || true)
  echo "  hearthd log: ${closes:-0} outbound-queue closes (4000), ${errors:-0} error lines;" \
    "${waits:-0} lines say \"no PostgreSQL connection free\""
}

gateway_bench() {
  load_start=$(uptime | sed 's/.*load average/load average/')
  pg_pid=$(head -n 1 "$HEARTH_PG_DIR/data/postmaster.pid")
  local need=0
  want fanout && ((fanout_clients > need)) && need=$fanout_clients
  want idle && ((idle_sessions > need)) && need=$idle_sessions
  want storm && ((storm_sessions > need)) && need=$storm_sessions
  seed_gateway "$((need > 0 ? need : 1))"
  want fanout && fanout_part
  want idle && idle_part
  want create && create_part
  want storm && storm_part
  want crossnode && crossnode_part
  print_gateway_table
}
