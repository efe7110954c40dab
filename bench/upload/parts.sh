# shellcheck shell=bash disable=SC2154 # repo, rounds, work, median, server_pids come from scripts/bench.sh
# The upload part of `make bench` (bench/README.md), sourced by scripts/bench.sh with the bench
# PostgreSQL running: a 25 MiB file sent as an attachment (multipart POST .../messages, curl)
# through a release hearthd, against `cp` of the same file to the same disk followed by `sync`
# of the copy (hearthd fdatasyncs what it stores, so the ceiling is made durable too).
# UPLOAD_RUNS files (default 5), each of fresh random bytes: storage is content-addressed, and
# the same bytes twice would be written once.

upload_runs=${UPLOAD_RUNS:-5}
upload_mib=25
upload_dir=$repo/var/bench/upload
upload_logs=$repo/var/bench/logs/$(date +%Y%m%d-%H%M%S)-upload
upload_hearthd=${UPLOAD_HEARTHD:-$repo/build/release/hearthd}

upload_bench() {
  rm -rf "$upload_dir"
  mkdir -p "$upload_dir/data" "$upload_dir/files" "$upload_dir/cp" "$upload_logs"
  local n
  for n in $(seq "$upload_runs"); do
    head -c $((upload_mib * 1024 * 1024)) /dev/urandom >"$upload_dir/files/f$n.bin"
  done
  rm -f "$work/upload-port"
  "$upload_hearthd" --port 0 --port-file "$work/upload-port" --database-url "$(scripts/db.sh url)" \
    --data-dir "$upload_dir/data" --log-level warn --auth-requests-per-minute 1000000 >>"$upload_logs/hearthd.log" 2>&1 &
  local pid=$!
  server_pids+=("$pid")
  for _ in $(seq 300); do [[ -s $work/upload-port ]] && break; sleep 0.1; done
  local api token guild channel
  api=http://127.0.0.1:$(cat "$work/upload-port")/api/v1
  for _ in $(seq 100); do curl -sf "${api%/api/v1}/healthz" >/dev/null && break; sleep 0.1; done
  local name=upload$RANDOM$RANDOM
  token=$(curl -sf -X POST -H 'content-type: application/json' "$api/auth/register" \
    -d "{\"email\": \"$name@example.org\", \"username\": \"$name\", \"password\": \"correct horse battery staple\"}" |
    jq -r .token)
  guild=$(curl -sf -X POST -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d '{"name": "upload bench"}' "$api/guilds" | jq -r .id)
  channel=$(curl -sf -H "authorization: Bearer $token" "$api/guilds/$guild/channels" |
    jq -r '[.[] | select(.type == 0)][0].id')

  local hearthd_rates=() cp_rates=() seconds
  for n in $(seq "$upload_runs"); do
    # Alternating, so drift in the machine's load hits both alike.
    seconds=$( { /usr/bin/time -f %e sh -c "cp '$upload_dir/files/f$n.bin' '$upload_dir/cp/f$n.bin' && sync '$upload_dir/cp/f$n.bin'"; } 2>&1)
    cp_rates+=("$(awk -v m=$upload_mib -v s="$seconds" 'BEGIN {printf "%.1f", m / (s > 0 ? s : 0.01)}')")
    seconds=$(curl -sf -o "$work/upload-answer" -w '%{time_total}' -H "authorization: Bearer $token" \
      -F 'payload_json={"content": ""}' -F "files[0]=@$upload_dir/files/f$n.bin;filename=f$n.bin" \
      "$api/channels/$channel/messages")
    jq -e '.attachments | length == 1' "$work/upload-answer" >/dev/null || {
      echo "bench: upload failed: $(head -c 300 "$work/upload-answer")" >&2
      return 1
    }
    hearthd_rates+=("$(awk -v m=$upload_mib -v s="$seconds" 'BEGIN {printf "%.1f", m / s}')")
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true

  local h c
  h=$(printf '%s\n' "${hearthd_rates[@]}" | median)
  c=$(printf '%s\n' "${cp_rates[@]}" | median)
  echo
  echo "Upload: one ${upload_mib} MiB file of random bytes per request, median of $upload_runs runs (MiB/s; higher is better)"
  printf '%-26s | %8s | %s\n' case "MiB/s" "of ceiling"
  printf '%-26s | %8.1f | %s\n' "cp + sync (ceiling)" "$c" "1.00x"
  printf '%-26s | %8.1f | %s\n' "hearthd multipart POST" "$h" "$(awk -v a="$h" -v b="$c" 'BEGIN {printf "%.2fx", a / b}')"
  echo "  runs: hearthd ${hearthd_rates[*]}; cp ${cp_rates[*]}"
  rm -rf "$upload_dir/files" "$upload_dir/cp"
}
