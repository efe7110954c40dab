#!/usr/bin/env bash
# Installs the Debian packages Hearth needs to build, run and test, skipping what is already there.
# Usage: scripts/setup.sh [--with-test-tools]
#   default:            build + run dependencies (compiler, Boost 1.81, libpq, PostgreSQL 15, Node)
#   --with-test-tools:  also GoogleTest, Chromium (end-to-end tests), clang-16 with libFuzzer, wrk (benchmarks),
#                       redis-server and haproxy (several nodes: unit and cluster tests)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-system1.81-dev
  libpq-dev postgresql-15 postgresql-client-15 zlib1g-dev acl
  libspdlog-dev libfmt-dev libcli11-dev libssl-dev libsodium-dev libcurl4-openssl-dev
  libvips-dev libmagic-dev
  nodejs npm
)
if [[ "${1:-}" == "--with-test-tools" ]]; then
  packages+=(libgtest-dev libgmock-dev libbenchmark-dev clang-16 libclang-rt-16-dev clang-format wrk
             chromium redis-server haproxy)
fi

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
# Vite 8 needs Node >= 20.19. Node may come from elsewhere than Debian (images often ship their
# own build): any such node with npm on PATH is used instead of Debian's.
node_ok() {
  command -v node >/dev/null && command -v npm >/dev/null &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
}
if node_ok; then
  missing=("${missing[@]/nodejs/}"); missing=("${missing[@]/npm/}")
fi
read -r -a missing <<<"${missing[*]}"
if (( ${#missing[@]} == 0 )); then
  node_ok && exit 0
fi

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
if ! node_ok; then
  echo "setup: the web client needs Node.js >= 20.19 with npm; found $(node --version 2>/dev/null || echo none)." >&2
  echo "setup: Debian 12's own nodejs is 18; install Node 20 or newer and run again." >&2
  exit 1
fi
