#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang-16 and runs each for SECONDS (default 60) on a
# working copy of its seed corpus (fuzz/corpus/<target>), one target per core at a time. A crash
# fails the run and leaves the input in build/fuzz/artifacts/; add it to fuzz/corpus/<target>/
# once fixed, as a regression seed.
# `scripts/fuzz.sh build` only builds them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
clang=$(command -v clang++-16 || true)
[[ -n $clang ]] || { echo "fuzz: clang++-16 is missing (scripts/setup.sh --with-test-tools installs it)" >&2; exit 1; }
cmake -S fuzz -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER="$clang" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz -j"$(nproc)"
[[ $seconds != build ]] || exit 0
mkdir -p build/fuzz/artifacts
# One target per core at a time; each prints its result when it ends.
run_target() {
  local target=$1 seconds=$2 work=build/fuzz/corpus-run/$1
  mkdir -p "$work"
  cp -n fuzz/corpus/$target/* "$work"/ 2>/dev/null || true
  if ! build/fuzz/${target}_fuzzer "$work" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix=build/fuzz/artifacts/${target}- -print_final_stats=1 >build/fuzz/$target.log 2>&1; then
    { echo "fuzz: $target FAILED after ${seconds}s; see build/fuzz/$target.log"; tail -n 40 build/fuzz/$target.log; } >&2
    return 1
  fi
  echo "fuzz: $target for ${seconds}s: $(grep -E "stat::number_of_executed_units|stat::peak_rss_mb" \
    build/fuzz/$target.log | awk '{printf "%s %s  ", $1, $2}')"
}
export -f run_target
printf '%s\n' http_request json_body gateway_frame access_token image_info id_token reaction_emoji resp_reply \
  event_codec ws_frame multipart push_subscription |
  xargs -P "$(nproc)" -I{} bash -c 'run_target "$1" "$2"' _ {} "$seconds"
