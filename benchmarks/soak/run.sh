#!/usr/bin/env bash
# Soak (issue #18, "Memory under bursts"): one Gatehouse node (the built server jar, demo mode, embedded H2, data dir
# in a temporary directory, G1 with a fixed heap) under a constant load for MINUTES minutes, then a verdict.
#   1. the maximum client-credentials token rate, measured as benchmarks/server-load/run.sh does (closed model, 16
#      requests in flight, the same request as token-cc.lua) by Soak.java's max mode: WARMUP s discarded, MAX_SECONDS s
#      measured;
#   2. FRACTION (0.70) of it held at a constant rate (open model: requests issued on a fixed schedule whatever the
#      answers, at most 256 in flight) with SIGNIN_RATE (1) whole browser sign-ins per second mixed in
#      (benchmarks/signin-load/SignInLoad.java's flow, the demo user, default Argon2id);
#   3. each minute: requests, errors, p50/p99 of tokens and sign-ins, heap after a forced full GC (jcmd GC.run, then
#      the heap after that collection from its own line in the server's GC log), RSS, threads, server CPU seconds,
#      load average;
#   4. verdict: zero errors (and a sign-in and a token served after the load); heap after full GC of the last minute
#      within 10% of minute BASELINE's (2; minute 1 is the warm-up); token p99 of the last minute at most 1.5x minute
#      BASELINE's. Exit 1 when one fails.
# Token and sign-in limits are raised (not switched off) as server-load/run.sh and signin-load/run.sh do: the whole
# load comes from one address. Loopback only, ports 9560-9579. HISTO=1 writes a jcmd GC.class_histogram per minute
# into the work directory (to find what grows).
# Usage: benchmarks/soak/run.sh [minutes]
#   env: JAVA, JAR, BUILD=1, PORT (9560), HEAP (512m), WARMUP (20), MAX_SECONDS (20), FRACTION (0.70), RATE (tokens/s,
#        skips the measurement), SIGNIN_RATE (1), WARMUP_SIGNINS (300), BASELINE (2), HISTO, GATEHOUSE_ARGS
set -euo pipefail
cd "$(dirname "$0")/../.."
. benchmarks/lib/demo-node.sh
MINUTES="${1:-10}"
PORT="${PORT:-9560}"
HEAP="${HEAP:-512m}"
FRACTION="${FRACTION:-0.70}"
SIGNIN_RATE="${SIGNIN_RATE:-1}"
WARMUP_SIGNINS="${WARMUP_SIGNINS:-300}"
BASELINE="${BASELINE:-2}"
JDK_HOME=$(ls -d /usr/lib/jvm/temurin-*-jdk-* 2>/dev/null | sort -V | tail -1)
JAVA="${JAVA:-${JDK_HOME:+$JDK_HOME/bin/java}}"
JAVA="${JAVA:-java}"
BIN=$(dirname "$(readlink -f "$(command -v "$JAVA")")")
JAR="${JAR:-auth-server/target/gatehouse-server.jar}"
WORK=$(mktemp -d /tmp/gatehouse-soak.XXXXXX)
PID=
cleanup() { [ -z "$PID" ] || kill "$PID" 2>/dev/null || true; }
trap cleanup EXIT
[[ "$MINUTES" =~ ^[0-9]+$ ]] && [ "$MINUTES" -ge 1 ] && [ "$MINUTES" -le 600 ] || { echo "minutes: 1..600" >&2; exit 2; }
# minute 1 is the warm-up; a shorter run compares minute 1 with its last
[ "$BASELINE" -lt "$MINUTES" ] || BASELINE=$(( MINUTES > 1 ? MINUTES - 1 : 1 ))

if [ -n "${BUILD:-}" ] || [ ! -f "$JAR" ]; then
  ./mvnw -B -q -Dmaven.test.skip=true -Dspotless.check.skip=true -Djavadoc.skip=true package -pl auth-server -am
fi
echo "==> JDK: $("$JAVA" -version 2>&1 | head -1)   work: $WORK   load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN/javac" -d "$WORK/classes" benchmarks/signin-load/SignInLoad.java benchmarks/soak/Soak.java

LIMIT=1000000000/1s
"$JAVA" -Xmx"$HEAP" -XX:+UseG1GC -Xlog:gc:file="$WORK/gc.log" -jar "$JAR" --server.port="$PORT" --server.address=127.0.0.1 \
  --gatehouse.dev-mode=true --gatehouse.server.demo=true --gatehouse.server.data-dir="$WORK/data" \
  --gatehouse.server.rate-limit.login-per-address=$LIMIT \
  --gatehouse.server.rate-limit.authorization-per-address=$LIMIT \
  --gatehouse.server.rate-limit.authorization-per-client=$LIMIT \
  --gatehouse.server.rate-limit.token-per-address=$LIMIT --gatehouse.server.rate-limit.token-per-client=$LIMIT \
  --logging.level.root=WARN ${GATEHOUSE_ARGS:-} >"$WORK/server.log" 2>&1 &
PID=$!
if ! wait_demo_node "$PORT" "$WORK/data" "$PID"; then echo "soak: server did not start (log: $WORK/server.log)" >&2; tail -20 "$WORK/server.log" >&2; exit 1; fi
COMMON=(base="http://localhost:$PORT" pid="$PID" jcmd="$BIN/jcmd" gc_log="$WORK/gc.log" client=gatehouse-demo-service
  secret="$(demo_service_secret "$WORK/data")"
  spa=gatehouse-demo-spa redirect_uri=http://127.0.0.1:5173/callback user=demo
  password="$(demo_password "$WORK/data")")
soak() { "$JAVA" -cp "$WORK/classes" Soak "${COMMON[@]}" "$@"; }

if [ -n "${RATE:-}" ]; then
  echo "==> token rate given: RATE=$RATE/s"
else
  echo "==> maximum token rate: warm-up ${WARMUP:-20}s, then ${MAX_SECONDS:-20}s, 16 in flight (closed model)"
  soak mode=max warmup="${WARMUP:-20}" seconds="${MAX_SECONDS:-20}" connections=16 | tee "$WORK/max.txt"
  line=$(grep '^MAX' "$WORK/max.txt")
  max=$(sed 's/.*tokens_per_s=\([0-9.]*\).*/\1/' <<<"$line")
  RATE=$(python3 -c "print(max(1, round($max * $FRACTION)))")
  echo "==> soak at $FRACTION of $max = $RATE tokens/s   load: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
echo "==> soak: $MINUTES min, $RATE tokens/s + $SIGNIN_RATE sign-ins/s (open model), heap $HEAP"
status=0
# The maximum's warm-up compiled the token path only: WARMUP_SIGNINS sign-ins (4 at a time, not judged) compile the
# sign-in path too, so that minute 1 is not the JIT's (the run of 2026-12-08 without it: 94 sends skipped in minute 1,
# none after).
soak mode=soak seconds=$((MINUTES * 60)) interval=60 token_rate="$RATE" signin_rate="$SIGNIN_RATE" \
  warmup_signins="$WARMUP_SIGNINS" baseline="$BASELINE" heap_pct=10 judge_p99=true p99_ratio=1.5 ${HISTO:+histo_dir="$WORK/histograms"} \
  | tee "$WORK/result.txt" || status=$?
server_errors=$(grep -c -E ' ERROR |Exception' "$WORK/server.log" || true)
echo "SERVER log_errors=$server_errors rss_peak_mib=$(( $(awk '/^VmHWM/ {print $2}' "/proc/$PID/status") / 1024 )) load=$(cut -d' ' -f1-3 /proc/loadavg)"
[ "$server_errors" -eq 0 ] || { echo "soak: errors in the server log ($WORK/server.log)" >&2; status=1; }
if [ "$status" -eq 0 ] && [ -z "${HISTO:-}" ]; then rm -rf "$WORK"; else echo "soak: results kept in $WORK" >&2; fi
exit "$status"
