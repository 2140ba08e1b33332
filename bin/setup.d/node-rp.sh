#!/usr/bin/env bash
# Installs the packages of the relying-party suite (interop/rp: openid-client, oauth4webapi, jose) exactly as
# interop/rp/package-lock.json pins them, with `npm ci` (no lifecycle scripts). Skipped when node_modules was
# installed from the same lockfile: its SHA-256 is kept in node_modules/.gatehouse-lock.sha256.
set -euo pipefail
cd "$(dirname "$0")/../.."
suite=interop/rp

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "node-rp.sh: Node.js 20+ and npm are needed for interop/rp; install packages nodejs and npm" >&2
    exit 2
  fi
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "node-rp.sh: installing Node.js with apt-get (first run only)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs >/dev/null
  # NodeSource's nodejs package carries npm (and conflicts with Debian's npm package); Debian's does not.
  if ! command -v npm >/dev/null; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm >/dev/null
  fi
fi
# 20.11: the test runner's --test-timeout and several reporters at once (bin/interop-rp uses both).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 11) ? 0 : 1)'; then
  echo "node-rp.sh: Node.js $(node --version) is too old for interop/rp; it needs 20.11 or newer" >&2
  exit 2
fi

want="$(sha256sum "$suite/package-lock.json" | cut -d' ' -f1)"
stamp="$suite/node_modules/.gatehouse-lock.sha256"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "node-rp.sh: $suite/node_modules matches package-lock.json (node $(node --version))"
  exit 0
fi
echo "node-rp.sh: npm ci in $suite (node $(node --version), npm $(npm --version))"
(cd "$suite" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
echo "$want" >"$stamp"
