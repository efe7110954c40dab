#!/usr/bin/env bash
# `make test`: every test, from a fresh clone. Stages (each must pass):
#   format check, C++ builds (ASan+UBSan for tests; the release hearthd and the fuzz targets beside the
#   tests), unit tests (ctest, real PostgreSQL), web lint +
#   typecheck + unit tests + build, integration tests (hearthd + PostgreSQL over HTTP/WebSocket),
#   end-to-end tests (Chromium), fuzz smoke runs.
# Environment: FUZZ_SMOKE_SECONDS (default 8 per target), STAGES (default all; e.g. "unit integration").
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
stages=${STAGES:-"format build unit web integration e2e fuzz"}
has() { [[ " $stages " == *" $1 "* ]]; }
started=$SECONDS
declare -a results=()
stage() { echo; echo "==> $1"; }
record() { results+=("$(printf '%-12s %s (%ss)' "$1" "$2" "$3")"); }

scripts/setup.sh --with-test-tools

# A test cluster of its own (never the data of `make run`), unix socket only.
export HEARTH_PG_DIR=$repo/var/test/pg
export HEARTH_DB=postgres
scripts/db.sh start
export HEARTH_TEST_PG=$(scripts/db.sh url)
# And a test Redis (the event bus across nodes), unix socket only.
export HEARTH_REDIS_DIR=$repo/var/test/redis
web_pid=
cleanup() {
  [[ -z $web_pid ]] || kill "$web_pid" 2>/dev/null || true
  [[ -z ${background_pid:-} ]] || kill "$background_pid" 2>/dev/null || true
  scripts/redis.sh stop >/dev/null 2>&1 || true
  scripts/db.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
scripts/redis.sh start
export HEARTH_TEST_REDIS=$(scripts/redis.sh url)

if has format; then
  stage "format check (clang-format)"; t=$SECONDS
  make -s format-check
  record format ok $((SECONDS - t))
fi

# The web stage is mostly single-threaded Node: it runs beside the C++ build (its output goes to
# a log, shown when it ends), which keeps the whole run shorter on two cores.
if has web || has e2e; then
  web_log=$(mktemp)
  web_started=$SECONDS
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run lint && npm run typecheck && npm test &&
    npm run build) >"$web_log" 2>&1 &
  web_pid=$!
fi

if has build || has unit || has integration || has e2e; then
  stage "build (dev preset: ASan + UBSan)"; t=$SECONDS
  cmake --preset dev >/dev/null
  cmake --build build/dev -j"$(nproc)"
  record build ok $((SECONDS - t))
fi

# The optimised hearthd (what `make run` serves; its warnings differ, so it must build too) and the
# fuzz targets (clang) are built at low priority beside the tests, which mostly wait on sockets;
# their log is shown and their result checked before the fuzz stage.
background_pid=
if has build || has fuzz; then
  background_log=$(mktemp)
  background_started=$SECONDS
  (
    set -e
    if has build; then
      cmake --preset release >/dev/null
      nice -n 10 cmake --build build/release --target hearthd -j"$(nproc)"
      echo "release hearthd built in $((SECONDS - background_started))s"
    fi
    if has fuzz; then nice -n 10 scripts/fuzz.sh build; fi
  ) >"$background_log" 2>&1 &
  background_pid=$!
fi
wait_background() {
  [[ -n $background_pid ]] || return 0
  stage "release build and fuzz targets (built beside the tests)"
  if ! wait "$background_pid"; then
    cat "$background_log"
    echo "background build FAILED" >&2
    exit 1
  fi
  tail -n 5 "$background_log"
  rm -f "$background_log"
  background_pid=
  record background ok $((SECONDS - background_started))
}

if [[ -n $web_pid ]]; then
  stage "web: install, lint, typecheck, unit tests, build (ran beside the build)"
  if ! wait "$web_pid"; then
    cat "$web_log"
    echo "web stage FAILED" >&2
    exit 1
  fi
  tail -n 40 "$web_log"
  rm -f "$web_log"
  web_pid=
  record web ok $((SECONDS - web_started))
fi

# ASan: a leak or error fails the test; UBSan: -fno-sanitize-recover makes any report fatal.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

if has unit; then
  stage "unit tests (ctest)"; t=$SECONDS
  ctest --preset dev -j"$(nproc)" --timeout 120
  record unit ok $((SECONDS - t))
fi

if has integration || has e2e; then
  (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
export HEARTHD=$repo/build/dev/hearthd
export HEARTH_WEB_ROOT=$repo/web/dist

if has integration; then
  stage "integration tests (hearthd + PostgreSQL)"; t=$SECONDS
  # A file that hangs (even blocked inside node) is killed and fails after 3 minutes, not never.
  node --test --test-concurrency=1 --test-timeout=180000 tests/integration/*.test.mjs
  record integration ok $((SECONDS - t))
fi

if has e2e; then
  stage "end-to-end tests (Chromium)"; t=$SECONDS
  [[ -x /usr/bin/chromium ]] || { echo "Chromium is missing: end-to-end tests cannot run" >&2; exit 1; }
  export HEARTH_SCREENSHOT_DIR=$repo/tests/e2e/screenshots
  node tests/support/with_hearthd.mjs -- node --test --test-concurrency=1 --test-timeout=300000 tests/e2e/*.test.mjs
  record e2e ok $((SECONDS - t))
fi

wait_background

if has fuzz; then
  stage "fuzz smoke (libFuzzer)"; t=$SECONDS
  scripts/fuzz.sh "${FUZZ_SMOKE_SECONDS:-8}"
  record fuzz ok $((SECONDS - t))
fi

echo
echo "==> all stages passed in $((SECONDS - started))s"
printf '  %s\n' "${results[@]}"
