#!/usr/bin/env bash
# Browser sign-in load test, side by side in one run on this machine (issue #18, "Sign-ins per second"):
#   gatehouse-kc-params - auth-server (embedded H2 default, demo mode) with Argon2id at Keycloak's default
#                         m=7168 KiB, t=5, p=1 (gatehouse.password.argon2-*), for the comparison at identical hashing
#   gatehouse-default   - auth-server at its own defaults (Argon2id m=19456 KiB, t=2, p=1)
#   keycloak            - Keycloak 26.7.3 start-dev, browser flow, Argon2id m=7168 t=5 p=1 (keycloak.sh)
# Each sign-in (SignInLoad.java, fresh cookie jar): authorization request with PKCE S256, sign-in form (CSRF and
# action parsed), password post, redirects to the client's redirect URI with the code, code exchanged with the
# verifier at the token endpoint. Gatehouse uses bin/run's demo public client gatehouse-demo-spa and user demo.
# All servers run on the same (newest Temurin) JDK, are warmed up, then measured in alternating rounds. Reports
# sign-ins/s, p50, p99, the server's CPU per sign-in (utime+stime from /proc) and the hash share: the CPU time of one
# Argon2id hash at that server's parameters with its own Bouncy Castle jar (HashCost.java, same JDK) divided by the
# CPU per sign-in (one password verification per sign-in on both).
# Sign-in limits are raised (not switched off) on Gatehouse, as server-load/run.sh does for tokens: the whole load
# comes from one address. Loopback only; every phase is bounded in time and count.
# Usage: benchmarks/signin-load/run.sh [seconds] [users]
#   env: ROUNDS (3), WARMUP seconds (30), MAX sign-ins per phase (100000), PEERS, JAVA, HASHES (200), NO_BUILD=1
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_PER_ROUND="${1:-30}"
USERS="${2:-8}"
ROUNDS="${ROUNDS:-3}"
WARMUP="${WARMUP:-30}"
MAX="${MAX:-100000}"
HASHES="${HASHES:-200}"
PEERS="${PEERS:-gatehouse-kc-params gatehouse-default keycloak}"
HERE=benchmarks/signin-load
WORK=$(mktemp -d /tmp/gatehouse-signin.XXXXXX)
declare -A PID JPID BASE AUTH TOKEN CLIENT USER PASS SCOPE M T P BCPROV
cleanup() {
  for n in "${!PID[@]}"; do kill "${PID[$n]}" 2>/dev/null || true; done
  for n in "${!JPID[@]}"; do kill "${JPID[$n]}" 2>/dev/null || true; done
}
trap cleanup EXIT

wanted() { [[ " $PEERS " == *" $1 "* ]]; }
wait_for() { for _ in $(seq 1 240); do curl -s -o /dev/null "$1" && return 0; sleep 1; done; echo "timed out: $1" >&2; return 1; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
JDK_HOME=$(ls -d /usr/lib/jvm/temurin-*-jdk-* 2>/dev/null | sort -V | tail -1)
JAVA="${JAVA:-${JDK_HOME:+$JDK_HOME/bin/java}}"
JAVA="${JAVA:-java}"
echo "==> JDK: $("$JAVA" -version 2>&1 | head -1)   work: $WORK"

if [ -z "${NO_BUILD:-}" ]; then
  echo "==> building"
  ./mvnw -B -q -Dmaven.test.skip=true -Dspotless.check.skip=true -Djavadoc.skip=true package -pl auth-server -am
fi

LIMIT=1000000000/1s
gatehouse() { # name port m t
  local n=$1 port=$2
  "$JAVA" -jar auth-server/target/gatehouse-server.jar --server.port="$port" --gatehouse.dev-mode=true \
    --gatehouse.server.demo=true --gatehouse.server.data-dir="$WORK/$n" \
    --gatehouse.password.argon2-memory-kib="$3" --gatehouse.password.argon2-iterations="$4" \
    --gatehouse.password.argon2-parallelism=1 \
    --gatehouse.server.rate-limit.login-per-address=$LIMIT \
    --gatehouse.server.rate-limit.authorization-per-address=$LIMIT \
    --gatehouse.server.rate-limit.authorization-per-client=$LIMIT \
    --gatehouse.server.rate-limit.token-per-address=$LIMIT --gatehouse.server.rate-limit.token-per-client=$LIMIT \
    --logging.level.root=WARN ${GATEHOUSE_ARGS:-} >"$WORK/$n.log" 2>&1 &
  PID[$n]=$!
  wait_for "http://localhost:$port/oauth2/jwks"
  for _ in $(seq 1 30); do [ -s "$WORK/$n/demo-credentials.txt" ] && break; sleep 1; done
  BASE[$n]=http://localhost:$port; AUTH[$n]=/oauth2/authorize; TOKEN[$n]=/oauth2/token
  CLIENT[$n]=gatehouse-demo-spa; USER[$n]=demo; SCOPE[$n]="openid profile"
  PASS[$n]=$(awk '/user demo password/ {print $NF}' "$WORK/$n/demo-credentials.txt")
  M[$n]=$3; T[$n]=$4; P[$n]=1
  # the Bouncy Castle jar inside the server jar, for HashCost
  mkdir -p "$WORK/bc-$n"
  unzip -q -o auth-server/target/gatehouse-server.jar 'BOOT-INF/lib/bcprov-*.jar' -d "$WORK/bc-$n"
  BCPROV[$n]=$(ls "$WORK/bc-$n"/BOOT-INF/lib/bcprov-*.jar | head -1)
}
wanted gatehouse-kc-params && gatehouse gatehouse-kc-params 9420 7168 5
wanted gatehouse-default && gatehouse gatehouse-default 9421 19456 2

if wanted keycloak; then
  n=keycloak
  PASS[$n]=$($HERE/keycloak.sh "$WORK/keycloak" 7168 5 1 | tail -1)
  PID[$n]=$(cat "$WORK/keycloak/keycloak.pid")
  # kc.sh starts java as its child (or execs it after a re-augmentation): measure the JVM
  JPID[$n]=$(pgrep -P "${PID[$n]}" java | head -1 || true)
  [ -n "${JPID[$n]}" ] || JPID[$n]=${PID[$n]}
  BASE[$n]=http://localhost:${KEYCLOAK_PORT:-8480}; AUTH[$n]=/realms/bench/protocol/openid-connect/auth
  TOKEN[$n]=/realms/bench/protocol/openid-connect/token; CLIENT[$n]=bench-spa; USER[$n]=demo; SCOPE[$n]="openid profile"
  M[$n]=7168; T[$n]=5; P[$n]=1
  BCPROV[$n]=$(ls "$WORK"/keycloak/keycloak-*/lib/lib/main/org.bouncycastle.bcprov-*.jar | head -1)
fi

server_pid() { echo "${JPID[$1]:-${PID[$1]}}"; }
load() { # name seconds
  "$JAVA" $HERE/SignInLoad.java "$1" "${BASE[$1]}" "${AUTH[$1]}" "${TOKEN[$1]}" "${CLIENT[$1]}" \
    http://127.0.0.1:5173/callback "${SCOPE[$1]}" "${USER[$1]}" "${PASS[$1]}" "$2" "$USERS" "$MAX"
}
SERVERS=()
for n in gatehouse-kc-params gatehouse-default keycloak; do wanted "$n" && [ -n "${BASE[$n]:-}" ] && SERVERS+=("$n"); done
for n in "${SERVERS[@]}"; do echo "==> $n: warm-up ${WARMUP}s"; load "$n" "$WARMUP" | tee -a "$WORK/warmup.txt"; done
for r in $(seq 1 "$ROUNDS"); do
  for n in "${SERVERS[@]}"; do
    pid=$(server_pid "$n")
    c0=$(cpu_ticks "$pid")
    line=$(load "$n" "$SECONDS_PER_ROUND" | grep RESULT)
    c1=$(cpu_ticks "$pid")
    count=$(sed 's/.*signins=\([0-9]*\).*/\1/' <<<"$line")
    cpu=$(python3 -c "print(round(($c1-$c0)*1000/$(getconf CLK_TCK)/max($count,1),2))")
    echo "round=$r ${line#RESULT } cpu_ms_per_signin=$cpu load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$WORK/results.txt"
  done
done

echo "==> hash cost: $HASHES Argon2id hashes per server, one thread, that server's Bouncy Castle jar, same JDK"
for n in "${SERVERS[@]}"; do
  h=$("$JAVA" -cp "${BCPROV[$n]}" $HERE/HashCost.java "${M[$n]}" "${T[$n]}" "${P[$n]}" "$HASHES")
  echo "server=$n ${h#HASH } bcprov=$(basename "${BCPROV[$n]}")" | tee -a "$WORK/hashes.txt"
done

echo "==> summary (mean of $ROUNDS rounds; server CPU includes everything it does per sign-in)"
python3 - "$WORK/results.txt" "$WORK/hashes.txt" <<'PY'
import sys, collections, re
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    kv = dict(re.findall(r'(\w+)=([^\s]+)', line))
    rows[kv['server']].append(kv)
hashes = {}
for line in open(sys.argv[2]):
    kv = dict(re.findall(r'(\w+)=([^\s]+)', line))
    hashes[kv['server']] = float(kv['cpu_ms_per_hash'])
mean = lambda n, k: sum(float(r[k]) for r in rows[n]) / len(rows[n])
for n in rows:
    cpu = mean(n, 'cpu_ms_per_signin')
    share = hashes.get(n, 0) / cpu if cpu else 0
    print(f"{n:20} signins/s={mean(n,'signins_per_s'):7.2f}  p50={mean(n,'p50_ms'):7.1f} ms  p99={mean(n,'p99_ms'):7.1f} ms"
          f"  cpu/signin={cpu:6.2f} ms  hash={hashes.get(n,0):6.2f} ms ({share:.0%} of the sign-in's CPU,"
          f" rest {cpu - hashes.get(n,0):.2f} ms)  errors={sum(int(r['errors']) for r in rows[n])}")
if 'gatehouse-kc-params' in rows and 'keycloak' in rows:
    g, k = 'gatehouse-kc-params', 'keycloak'
    print(f"gatehouse / keycloak at identical Argon2id (m=7168 t=5 p=1): sign-ins/s {mean(g,'signins_per_s')/mean(k,'signins_per_s'):.2f}x,"
          f" p99 {mean(k,'p99_ms')/mean(g,'p99_ms'):.2f}x lower,"
          f" cpu per sign-in {mean(k,'cpu_ms_per_signin')/mean(g,'cpu_ms_per_signin'):.2f}x less")
PY
echo "results in $WORK"
