#!/usr/bin/env bash
# Installs the packages of the relying-party suite (interop/rp: openid-client, oauth4webapi, jose, MCP SDK) exactly as
# interop/rp/package-lock.json pins them, with `npm ci` (no lifecycle scripts). Skipped when node_modules was
# installed from the same lockfile: its SHA-256 is kept in node_modules/.gatehouse-lock.sha256.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bin/setup.d/node-common.bash

ensure_node node-rp.sh interop/rp
# 20.11: the test runner's --test-timeout and several reporters at once (bin/interop-rp uses both).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 11) ? 0 : 1)'; then
  echo "node-rp.sh: Node.js $(node --version) is too old for interop/rp; it needs 20.11 or newer" >&2
  exit 2
fi
npm_ci_once node-rp.sh interop/rp
