#!/usr/bin/env bash
# Installs Prometheus' promtool for the dashboard and alert checks (auth-server MetricsCatalogTests runs
# `promtool check rules` and `promtool test rules` on ops/prometheus/).
#
# promtool is a Go program inside the Prometheus module (github.com/prometheus/prometheus, whose v0.3xx.y tags are
# Prometheus 3.xx.y). Like opa.sh, tools/promtool holds a tiny module that requires it at a pinned version (`tool`
# directive in go.mod); we build it with this machine's Go toolchain from the Go module proxy, without the service
# discovery plugins promtool does not need (build tag remove_all_sd), and cache the binary under
# ${GATEHOUSE_CACHE:-$HOME/.cache/gatehouse}/promtool-<version>/promtool, so later runs skip the build.
#
# The path is written to target/promtool-binary at the repository root; the tests read it from there (or from
# -Dgatehouse.promtool.binary / $GATEHOUSE_PROMTOOL_BINARY, which take precedence).
set -euo pipefail
cd "$(dirname "$0")/../.."

# The version follows the module path, on a `require` line of its own or inside a require block.
version="$(awk '{ for (i = 1; i < NF; i++) if ($i == "github.com/prometheus/prometheus" && $(i + 1) ~ /^v/) { print $(i + 1); exit } }' \
  tools/promtool/go.mod)"
if [ -z "$version" ]; then
  echo "promtool.sh: cannot read the Prometheus version from tools/promtool/go.mod" >&2
  exit 2
fi
cache="${GATEHOUSE_CACHE:-$HOME/.cache/gatehouse}/promtool-${version}"
binary="$cache/promtool"

if [ ! -x "$binary" ] || ! "$binary" --version >/dev/null 2>&1; then
  if ! command -v go >/dev/null; then
    echo "promtool.sh: Go is needed to build promtool ${version} (or set GATEHOUSE_PROMTOOL_BINARY)" >&2
    exit 2
  fi
  echo "promtool.sh: building promtool ${version} into $cache (first run only, a few minutes)"
  mkdir -p "$cache"
  (cd tools/promtool && CGO_ENABLED=0 go build -tags remove_all_sd -trimpath -o "$binary.tmp" \
    github.com/prometheus/prometheus/cmd/promtool)
  mv "$binary.tmp" "$binary"
fi

mkdir -p target
echo "$binary" > target/promtool-binary
"$binary" --version | sed -n 1p   # sed reads to the end: head could exit first and pipefail turn SIGPIPE into 141
