#!/usr/bin/env bash
# Installs the Open Policy Agent CLI for the policy.opa tests and benchmarks.
#
# OPA is a Go program. `go install pkg@version` refuses modules with replace directives, so
# tools/opa holds a tiny module that requires OPA at a pinned version (`tool` directive in go.mod);
# we build it with this machine's Go toolchain from the Go module proxy and cache the binary under
# ${GATEHOUSE_CACHE:-$HOME/.cache/gatehouse}/opa-<version>/opa, so later runs skip the build.
#
# The path is written to target/opa-binary at the repository root; the tests read it from there
# (or from -Dgatehouse.opa.binary / $GATEHOUSE_OPA_BINARY, which take precedence).
set -euo pipefail
cd "$(dirname "$0")/../.."

version="$(awk '$1 == "github.com/open-policy-agent/opa" && $2 ~ /^v/ { print $2; exit }' tools/opa/go.mod)"
if [ -z "$version" ]; then
  echo "opa.sh: cannot read the OPA version from tools/opa/go.mod" >&2
  exit 2
fi
cache="${GATEHOUSE_CACHE:-$HOME/.cache/gatehouse}/opa-${version}"
binary="$cache/opa"

if [ ! -x "$binary" ] || ! "$binary" version >/dev/null 2>&1; then
  if ! command -v go >/dev/null; then
    echo "opa.sh: Go is needed to build OPA ${version} (or set GATEHOUSE_OPA_BINARY)" >&2
    exit 2
  fi
  echo "opa.sh: building OPA ${version} into $cache (first run only, a few minutes)"
  mkdir -p "$cache"
  (cd tools/opa && CGO_ENABLED=0 go build -trimpath -o "$binary.tmp" github.com/open-policy-agent/opa)
  mv "$binary.tmp" "$binary"
fi

mkdir -p target
echo "$binary" > target/opa-binary
"$binary" version | sed -n 1p   # sed reads to the end: head could exit first and pipefail turn SIGPIPE into 141
