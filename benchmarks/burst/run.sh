#!/usr/bin/env bash
# Memory under a burst of sign-ins (issue #18, "Memory under bursts"): the built server jar (demo mode, embedded
# H2, data dir in a temporary directory, default Argon2id m=19456 KiB t=2 p=1 and its default hashing gate) runs
# with a 512 MiB heap; Burst.java loads N sign-in forms, then posts them all at once and checks every answer (a
# redirect after a completed check, or 503/429 with Retry-After; never a 500 or a dropped connection) and that a
# normal sign-in succeeds right after. This script then checks the server log for OutOfMemoryError and reports the
# peak heap (largest heap in use before a collection, from the GC log) and the peak RSS (VmHWM, /proc/PID/status).
# Latencies are reported, never asserted, so the check holds on a loaded CI machine. With the demo service client's
# secret Burst.java also probes the JWKS and token endpoints during the burst (latency reported; a non-200 fails) and
# reads /actuator/prometheus afterwards: the peak of Argon2 computations in flight must not exceed the hashing gate's
# bound, nor the peak of admitted password checks the admission bound (auth-server/README.md, "Sign-in bursts").
# The login rate limit and the per-address failure counters are raised (not switched off): the whole burst comes
# from one address, and the check is about memory and the hashing gate, not about those limits.
# Usage: benchmarks/burst/run.sh [N]      env: JAVA, PORT (9430), HEAP (512m), BUILD=1 to build the jar first,
#   NO_BUILD=1 to fail instead of building a missing jar (bin/burst-check), GATEHOUSE_ARGS (extra server arguments,
#   e.g. --gatehouse.server.transport.max-password-checks-in-flight=8)
set -euo pipefail
cd "$(dirname "$0")/../.."
. benchmarks/lib/demo-node.sh
N="${1:-500}"
PORT="${PORT:-9430}"
HEAP="${HEAP:-512m}"
JAVA="${JAVA:-java}"
JAVAC="${JAVAC:-$(dirname "$(readlink -f "$(command -v "$JAVA")")")/javac}"
JAR=auth-server/target/gatehouse-server.jar
WORK=$(mktemp -d /tmp/gatehouse-burst.XXXXXX)
PID=
cleanup() { [ -z "$PID" ] || kill "$PID" 2>/dev/null || true; }
trap cleanup EXIT

if [ -n "${NO_BUILD:-}" ] && [ ! -f "$JAR" ]; then
  echo "burst: $JAR is missing (build it first: ./mvnw package -pl auth-server -am)" >&2
  exit 2
fi
if [ -n "${BUILD:-}" ] || [ ! -f "$JAR" ]; then
  ./mvnw -B -q -Dmaven.test.skip=true -Dspotless.check.skip=true -Djavadoc.skip=true package -pl auth-server -am
fi
"$JAVAC" -d "$WORK/classes" benchmarks/signin-load/SignInLoad.java benchmarks/burst/Burst.java

LIMIT=1000000000/1s
"$JAVA" -Xmx"$HEAP" -Xlog:gc:file="$WORK/gc.log" -jar "$JAR" --server.port="$PORT" --gatehouse.dev-mode=true \
  --gatehouse.server.demo=true --gatehouse.server.data-dir="$WORK/data" \
  --gatehouse.server.rate-limit.login-per-address=$LIMIT \
  --gatehouse.server.throttle.address-free-attempts=1000000 \
  --gatehouse.server.throttle.address-lockout-threshold=2000000 \
  --logging.level.root=WARN ${GATEHOUSE_ARGS:-} >"$WORK/server.log" 2>&1 &
PID=$!
if ! wait_demo_node "$PORT" "$WORK/data" "$PID"; then echo "burst: server did not start (log: $WORK/server.log)" >&2; tail -20 "$WORK/server.log" >&2; exit 1; fi
PASS=$(demo_password "$WORK/data")
SERVICE_SECRET=$(demo_service_secret "$WORK/data")

status=0
"$JAVA" -cp "$WORK/classes" Burst "http://localhost:$PORT" demo "$PASS" "$N" "$SERVICE_SECRET" | tee "$WORK/result.txt" || status=$?

hwm_kib=$(awk '/^VmHWM/ {print $2}' "/proc/$PID/status")
# "Pause Young (Normal) (G1 Evacuation Pause) 123M->45M(512M) 4.567ms": the heap in use before each pause
peak_heap=$(grep -o '[0-9]*M->[0-9]*M([0-9]*M)' "$WORK/gc.log" | sed 's/M->.*//' | sort -n | tail -1)
oom=$(cat "$WORK/server.log" "$WORK/gc.log" | grep -c 'OutOfMemoryError' || true)
echo "LOAD $(cut -d' ' -f1-3 /proc/loadavg)"
echo "MEMORY heap_max=$HEAP peak_heap_mib=${peak_heap:-0} peak_rss_mib=$((hwm_kib / 1024)) out_of_memory_errors=$oom gc_pauses=$(grep -c 'Pause' "$WORK/gc.log" || true)"
kill -0 "$PID" 2>/dev/null || { echo "burst: the server died (log: $WORK/server.log)" >&2; status=1; }
[ "$oom" -eq 0 ] || { echo "burst: OutOfMemoryError in the server log" >&2; status=1; }
if [ "$status" -eq 0 ]; then rm -rf "$WORK"; else echo "burst: FAILED (kept $WORK)" >&2; fi
exit "$status"
