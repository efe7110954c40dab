#!/usr/bin/env bash
# Installs the Debian packages Hearth needs to build, run and test, skipping what is already there.
# Usage: scripts/setup.sh [--with-test-tools]
#   default:            build + run dependencies (compiler, Boost 1.81, libpq, PostgreSQL 15, Node)
#   --with-test-tools:  also GoogleTest, Chromium (end-to-end tests), clang-16 with libFuzzer, wrk (benchmarks)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev
  libpq-dev postgresql-15 postgresql-client-15 zlib1g-dev
  libspdlog-dev libfmt-dev libcli11-dev libssl-dev libsodium-dev
  nodejs npm
)
if [[ "${1:-}" == "--with-test-tools" ]]; then
  packages+=(libgtest-dev libgmock-dev libbenchmark-dev clang-16 libclang-rt-16-dev clang-format wrk
             chromium)
fi

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
# Node may come from elsewhere than Debian (a distribution image often ships its own build):
# accept any node >= 18 with npm on PATH instead of forcing Debian's.
if command -v node >/dev/null && command -v npm >/dev/null; then
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  if (( node_major >= 18 )); then
    missing=("${missing[@]/nodejs/}"); missing=("${missing[@]/npm/}")
  fi
fi
read -r -a missing <<<"${missing[*]}"
(( ${#missing[@]} == 0 )) && exit 0

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if (( EUID != 0 )); then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
# --no-install-recommends keeps Chromium's download near 400 MB instead of pulling a desktop.
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
