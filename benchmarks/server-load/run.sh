#!/usr/bin/env bash
# Token-endpoint load test (client credentials) with wrk: Gatehouse vs Spring Authorization Server's defaults,
# and Keycloak when KEYCLOAK_HOME points at an unpacked keycloak-quarkus-dist (see README-server.md).
# Same machine, same JDK, one after the other. Usage: benchmarks/server-load/run.sh [duration] [connections]
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-20s}"
CONNECTIONS="${2:-16}"
WARMUP="${WARMUP:-10s}"
HERE=benchmarks/server-load
WORK=$(mktemp -d /tmp/gatehouse-load.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }

wait_for() { # url
  for _ in $(seq 1 120); do curl -s -o /dev/null "$1" && return 0; sleep 1; done
  echo "timed out waiting for $1" >&2; return 1
}

measure() { # name url client secret
  echo "==> $1: warm-up $WARMUP"
  SCOPE=${SCOPE-api.read} TOKEN_PATH=${TOKEN_PATH:-/oauth2/token} CLIENT_ID=$3 CLIENT_SECRET=$4 wrk -t2 -c"$CONNECTIONS" -d"$WARMUP" -s $HERE/token-cc.lua "$2" >/dev/null
  echo "==> $1: $DURATION, $CONNECTIONS connections"
  SCOPE=${SCOPE-api.read} TOKEN_PATH=${TOKEN_PATH:-/oauth2/token} CLIENT_ID=$3 CLIENT_SECRET=$4 wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s $HERE/token-cc.lua "$2" \
    | tee "$WORK/$1.txt" | grep -E 'RESULT|Non-2xx'
}

echo "==> building"
mvn -B -q -DskipTests -Dspotless.check.skip=true install -pl auth-server -am
mvn -B -q -DskipTests -Dspotless.check.skip=true -f $HERE/sas-default/pom.xml package

# Gatehouse: H2 file database (the default), state persisted. The whole load comes from one address with one client
# id, far above the production token-endpoint limits (300/10s per address): the limits are raised, not switched off,
# so the rate-limit filter stays in the measured path. TOKEN_RATE_LIMIT=off measures without buckets.
TOKEN_RATE_LIMIT="${TOKEN_RATE_LIMIT:-1000000000/1s}"
java -jar auth-server/target/gatehouse-server.jar --server.port=9400 --gatehouse.dev-mode=true --gatehouse.demo=true --gatehouse.data-dir="$WORK/gatehouse" \
  --gatehouse.rate-limit.token-per-address="$TOKEN_RATE_LIMIT" --gatehouse.rate-limit.token-per-client="$TOKEN_RATE_LIMIT" \
  --logging.level.root=WARN >"$WORK/gatehouse.log" 2>&1 &
PIDS+=($!)
wait_for http://localhost:9400/oauth2/jwks
for _ in $(seq 1 30); do [ -s "$WORK/gatehouse/demo-credentials.txt" ] && break; sleep 1; done
SECRET=$(awk '/service secret/ {print $NF}' "$WORK/gatehouse/demo-credentials.txt")
measure gatehouse http://localhost:9400 gatehouse-demo-service "$SECRET"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

# Spring Authorization Server defaults: in memory, {bcrypt} client secret.
BENCH_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '=+/')
BCRYPT=$(java -cp "$(ls ~/.m2/repository/org/springframework/security/spring-security-crypto/*/spring-security-crypto-*.jar | grep -v sources | tail -1):$(ls ~/.m2/repository/commons-logging/commons-logging/*/*.jar 2>/dev/null | tail -1)" \
  $HERE/BcryptOnce.java "$BENCH_SECRET")
BENCH_SECRET_BCRYPT="{bcrypt}$BCRYPT" java -jar $HERE/sas-default/target/sas-default-peer.jar \
  >"$WORK/sas.log" 2>&1 &
PIDS+=($!)
wait_for http://localhost:9401/oauth2/jwks
measure sas-default http://localhost:9401 bench "$BENCH_SECRET"
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null || true

if [ -n "${KEYCLOAK_HOME:-}" ]; then
  echo "==> keycloak: expects a running start-dev server on :8080 with realm 'bench' and client 'bench' (README-server.md)"
  SCOPE="" TOKEN_PATH=/realms/bench/protocol/openid-connect/token measure keycloak http://localhost:8080 bench "${KEYCLOAK_SECRET:?}"
fi
echo "results in $WORK"
