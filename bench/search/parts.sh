# shellcheck shell=bash disable=SC2154 # repo, rounds, work, want, median, server_pids come from scripts/bench.sh
# The search part of `make bench` (bench/README.md), sourced by scripts/bench.sh with the bench
# PostgreSQL running (var/bench/pg): one server of SEARCH_MESSAGES messages (1,000,000), made once
# with generate_series and kept in the bench database, then GET /guilds/{id}/messages/search timed
# per kind of query (bench/search/search_latency.mjs), ROUNDS times with a fresh hearthd each.

search_messages=${SEARCH_MESSAGES:-1000000}
search_requests=${SEARCH_REQUESTS:-200}
search_warmup=${SEARCH_WARMUP:-20}
search_logs=$repo/var/bench/logs/$(date +%Y%m%d-%H%M%S)-search
search_data=$repo/var/bench/data
search_hearthd=${SEARCH_HEARTHD:-$repo/build/release/hearthd}
search_pg_bin=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
mkdir -p "$search_logs"

search_sql() { "$search_pg_bin/psql" "$(scripts/db.sh url)" -Atq -v ON_ERROR_STOP=1 -c "$1"; }

# Starts hearthd on a free port: sets search_pid and search_port.
search_start() {
  rm -f "$work/search-port"
  "$search_hearthd" --port 0 --port-file "$work/search-port" --database-url "$(scripts/db.sh url)" \
    --data-dir "$search_data" --log-level warn --auth-requests-per-minute 1000000 >>"$search_logs/hearthd.log" 2>&1 &
  search_pid=$!
  server_pids+=("$search_pid")
  for _ in $(seq 300); do [[ -s $work/search-port ]] && break; sleep 0.1; done
  search_port=$(cat "$work/search-port")
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$search_port/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "bench: hearthd did not start (logs in $search_logs)" >&2
  return 1
}
search_stop() {
  kill "$search_pid" 2>/dev/null || true
  wait "$search_pid" 2>/dev/null || true
}

# The owner's token (registered on the first run, signed in after), and the server made once.
search_seed() {
  local api=http://127.0.0.1:$search_port/api/v1 body
  body='{"login": "search_owner", "password": "correct horse battery staple"}'
  search_token=$(curl -sf -X POST -H 'content-type: application/json' -d "$body" "$api/auth/login" | jq -r .token || true)
  if [[ -z $search_token || $search_token == null ]]; then
    search_token=$(curl -sf -X POST -H 'content-type: application/json' "$api/auth/register" \
      -d '{"email": "search_owner@example.org", "username": "search_owner", "password": "correct horse battery staple"}' |
      jq -r .token)
  fi
  search_owner=$(search_sql "SELECT id FROM users WHERE username = 'search_owner'")
  search_guild=$(search_sql "SELECT id FROM guilds WHERE owner_id = $search_owner AND name = 'search bench' LIMIT 1")
  if [[ -z $search_guild ]]; then
    search_guild=$(curl -sf -X POST -H "authorization: Bearer $search_token" -H 'content-type: application/json' \
      -d '{"name": "search bench"}' "$api/guilds" | jq -r .id)
    # Nine more text channels: the messages are spread over ten.
    for n in $(seq 2 10); do
      curl -sf -X POST -H "authorization: Bearer $search_token" -H 'content-type: application/json' \
        -d "{\"name\": \"chat-$n\", \"type\": 0}" "$api/guilds/$search_guild/channels" >/dev/null
    done
  fi
  local have
  have=$(search_sql "SELECT count(*) FROM messages WHERE guild_id = $search_guild")
  if ((have < search_messages)); then
    echo "bench: search: generating $((search_messages - have)) messages (once; kept in var/bench/pg)" >&2
    # Ids from a fixed time (2024-01-01), one per millisecond, each with three words from a
    # vocabulary of 50 common words (1 message in 50 each) and one of 8 rare ones (1 in 9973).
    # All by the owner, so the author_id case filters nothing away (the worst case: every message).
    search_sql "
      INSERT INTO messages (id, channel_id, guild_id, author_id, content, created_at)
      SELECT ((1704067200000 - 1420070400000 + g) << 22), ch.ids[1 + g % array_length(ch.ids, 1)], $search_guild, $search_owner,
             'message ' || g || ' about ' || w.common[1 + g % 50] || ' and ' || w.common[1 + (g / 50) % 50] || ' near the ' ||
             w.common[1 + (g / 2500) % 50] ||
             CASE WHEN g % 9973 = 0 THEN ' ' || w.rare[1 + (g / 9973) % 8] || ' ' || w.rare2[1 + (g / 9973) % 4] ELSE '' END,
             to_timestamp((1704067200000 + g) / 1000.0)
      FROM generate_series($have, $((search_messages - 1))) g,
           (SELECT array_agg(id ORDER BY id) AS ids FROM channels WHERE guild_id = $search_guild AND type = 0) ch,
           (SELECT ARRAY['apple','river','stone','cloud','lamp','field','paper','window','garden','bread',
                         'music','coffee','ticket','mountain','ocean','pencil','bridge','candle','forest','planet',
                         'silver','winter','summer','market','letter','engine','castle','harbor','island','meadow',
                         'rocket','violin','orange','copper','shadow','thunder','pepper','velvet','anchor','marble',
                         'lemon','falcon','canyon','glacier','lantern','tunnel','saddle','feather','compass','pillow'] AS common,
                   ARRAY['kestrel','quince','zephyr','marmot','obsidian','juniper','tundra','nebula'] AS rare,
                   ARRAY['walnut','honey','orange','silver'] AS rare2) w"
    search_sql "ANALYZE messages"
  fi
}

search_bench() {
  echo "bench: search: hearthd $search_hearthd, $search_messages messages" >&2
  local round out
  for round in $(seq "$rounds"); do
    echo "bench: search round $round/$rounds" >&2
    search_start || return 1
    [[ -n ${search_guild:-} ]] || search_seed
    out=$search_logs/search-$round.txt
    node bench/search/search_latency.mjs "http://127.0.0.1:$search_port" "$search_token" "$search_guild" \
      "$search_owner" "$search_requests" "$search_warmup" >"$out"
    search_stop
  done
  echo
  echo "Search: GET /guilds/{id}/messages/search in one server of $search_messages messages in 10 channels"
  echo "  ($search_requests requests per case one after another after $search_warmup unmeasured; medians of $rounds rounds; logs in $search_logs)"
  printf '%-19s | %9s | %8s | %8s | %6s\n' case matches "p50 ms" "p99 ms" failed
  echo "--------------------|-----------|----------|----------|-------"
  local name
  while IFS= read -r name; do
    local matches p50 p99 failed
    matches=$(cat "$search_logs"/search-*.txt | awk -F'\t' -v n="$name" '$1 == n {print $2; exit}')
    p50=$(cat "$search_logs"/search-*.txt | awk -F'\t' -v n="$name" '$1 == n {print $3}' | median)
    p99=$(cat "$search_logs"/search-*.txt | awk -F'\t' -v n="$name" '$1 == n {print $4}' | median)
    failed=$(cat "$search_logs"/search-*.txt | awk -F'\t' -v n="$name" '$1 == n {s += $5} END {print s + 0}')
    printf '%-19s | %9s | %8s | %8s | %6s\n' "$name" "$matches" "$p50" "$p99" "$failed"
  done < <(cut -f1 "$search_logs/search-1.txt")
}
