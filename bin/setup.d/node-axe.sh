#!/usr/bin/env bash
# Installs axe-core for the page audit of the end-to-end tests (examples/e2e PageAuditTests reads
# examples/e2e/axe/node_modules/axe-core/axe.min.js and injects it into each page in headless Chromium), exactly as
# examples/e2e/axe/package-lock.json pins it, with `npm ci` (no lifecycle scripts). Skipped when node_modules was
# installed from the same lockfile.
set -euo pipefail
cd "$(dirname "$0")/../.."
source bin/setup.d/node-common.bash

ensure_node node-axe.sh examples/e2e/axe
npm_ci_once node-axe.sh examples/e2e/axe
test -s examples/e2e/axe/node_modules/axe-core/axe.min.js
