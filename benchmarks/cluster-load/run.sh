#!/usr/bin/env bash
# Cluster load: the token endpoint (client credentials, wrk + ../server-load/token-cc.lua) and browser sign-ins through
# nginx round robin, with 1, 2 and 3 auth-server nodes on one PostgreSQL (examples/cluster's Cluster launcher), the
# processes pinned with taskset: every node on NODE_CPUS (1), everything else - PostgreSQL, nginx, wrk, the sign-in
# client - on OTHER_CPUS (0). Reports per node count: tokens/s, p50/p99, the nodes' CPU per token, PostgreSQL's own CPU
# per token, nginx's, and the database work per token (statements from pg_stat_statements, transactions and rows from
# pg_stat_database, WAL bytes); the same per sign-in. ClusterLoad.java does the measuring; README.md reads the figures.
# Usage: benchmarks/cluster-load/run.sh
#   env: NODES ("1 2 3"), WARMUP (60s), DURATION (20s), ROUNDS (2), CONNECTIONS (16), SIGNIN_SECONDS (30),
#        SIGNIN_WARMUP_SECONDS (20), SIGNIN_CONCURRENCY (4), SIGNIN_USERS (8), IDLE_SECONDS (10), NODE_CPUS (1),
#        OTHER_CPUS (0), NODE_JVM_OPTIONS, GATEHOUSE_ARGS, TOKEN_RATE_LIMIT, JAVA, SKIP_BUILD=1
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=benchmarks/cluster-load
NODES="${NODES:-1 2 3}"
export NODE_CPUS="${NODE_CPUS:-1}" OTHER_CPUS="${OTHER_CPUS:-0}"
for tool in wrk taskset; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
[ -x "${GATEHOUSE_NGINX:-/usr/sbin/nginx}" ] || bash bin/setup.d/nginx.sh
[ "$(getconf CLK_TCK)" = 100 ] || { echo "ClusterLoad.java assumes 100 clock ticks a second" >&2; exit 2; }

# The same JDK as benchmarks/server-load/run.sh (the newest Temurin under /usr/lib/jvm), so the single-node figures
# compare. The launcher starts every node with the JVM that runs it.
JDK_HOME=$(ls -d /usr/lib/jvm/temurin-*-jdk-* 2>/dev/null | sort -V | tail -1)
JAVA="${JAVA:-${JDK_HOME:+$JDK_HOME/bin/java}}"
JAVA="${JAVA:-java}"
echo "==> JDK: $("$JAVA" -version 2>&1 | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "==> building the server jar and the cluster launcher"
  ./mvnw -B -q -o -DskipTests -Dspotless.check.skip=true -Djavadoc.skip=true package dependency:build-classpath \
    -pl auth-server,examples/cluster -am -DincludeScope=runtime -Dmdep.outputFile=target/cluster.classpath
fi
CP="examples/cluster/target/classes:$(cat examples/cluster/target/cluster.classpath)"

# The launcher starts nodes with -XX:TieredStopAtLevel=1 (C1 only: quick start-up for its tests). A load test wants the
# JIT a production node runs: _JAVA_OPTIONS is read after the command line, so it overrides that flag in every node
# (and in the controller) without touching the launcher.
export _JAVA_OPTIONS="${NODE_JVM_OPTIONS:--XX:TieredStopAtLevel=4}"

OUT=$(mktemp -d /tmp/gatehouse-cluster-load.XXXXXX)
for n in $NODES; do
  echo "==> $n node(s)"
  # The controller starts on the nodes' CPU, so that the nodes it forks run there from their first instruction; it
  # then moves itself, nginx and PostgreSQL (restarted from it) to OTHER_CPUS. Bounded: the whole run for one node
  # count must end within 15 minutes.
  timeout -k 20s 15m taskset -c "$NODE_CPUS" "$JAVA" -cp "$CP" $HERE/ClusterLoad.java "$(pwd)" "$n" 2>&1 \
    | grep --line-buffered -v '^Picked up _JAVA_OPTIONS' | tee -a "$OUT/results.txt"
done

echo "==> summary (token rounds averaged)"
python3 - "$OUT/results.txt" <<'PY'
import sys, re, collections
tok = collections.defaultdict(list); sig = {}; idle = {}
for line in open(sys.argv[1]):
    if not line.startswith("RESULT"): continue
    kv = dict(re.findall(r'(\w+)=([^\s]+)', line))
    n = int(kv['nodes'])
    {'token': lambda: tok[n].append(kv), 'signin': lambda: sig.__setitem__(n, kv), 'idle': lambda: idle.__setitem__(n, kv)}[kv['kind']]()
def m(rows, k):
    v = [float(r[k].rstrip('%')) for r in rows if r.get(k) not in (None, 'n/a')]
    return sum(v) / len(v) if v else float('nan')
cols = ['node_cpu_ms', 'db_cpu_ms', 'nginx_cpu_ms', 'statements', 'xacts', 'write_xacts', 'rows_inserted', 'rows_updated', 'rows_deleted', 'wal_bytes', 'cpu0_busy', 'cpu1_busy']
print("| nodes | tokens/s | p50 ms | p99 ms | errors | " + " | ".join(c + "/token" if 'busy' not in c else c for c in cols) + " |")
print("|" + "---|" * (5 + len(cols)))
for n in sorted(tok):
    r = tok[n]
    print(f"| {n} | {m(r,'tokens_per_s'):.0f} | {m(r,'p50_ms'):.1f} | {m(r,'p99_ms'):.1f} | {sum(int(x['errors']) for x in r)} | " + " | ".join(f"{m(r,c):.3g}" for c in cols) + " |")
print()
print("| nodes | sign-ins/s | p50 ms | p99 ms | errors | nodes per sign-in | " + " | ".join(c + "/sign-in" if 'busy' not in c else c for c in cols) + " |")
print("|" + "---|" * (6 + len(cols)))
for n in sorted(sig):
    r = [sig[n]]
    print(f"| {n} | {m(r,'signins_per_s'):.1f} | {m(r,'p50_ms'):.0f} | {m(r,'p99_ms'):.0f} | {sig[n]['errors']} | {m(r,'nodes_seen_per_signin'):.2f} | " + " | ".join(f"{m(r,c):.3g}" for c in cols) + " |")
print()
for n in sorted(idle):
    print(f"idle background, {n} node(s): nodes {idle[n]['node_cpu_ms_per_s']} ms CPU/s, database {idle[n]['db_cpu_ms_per_s']} ms CPU/s, {idle[n]['statements_per_s']} statements/s (subtracted above)")

# Capacity model input (README.md, "Capacity model"): the largest cluster's figures, scaled linearly.
if tok and sig:
    n = max(tok); t = tok[n]; s = [sig[max(sig)]]
    rows = {}
    for line in open(sys.argv[1]):
        if line.startswith("TABLE") and f"nodes={n} " in line:
            kv = dict(re.findall(r'(\w+)=([^\s]+)', line)); rows[kv['table']] = kv['bytes_per_row']
    T, S = 10000, 1000
    print(f"\nmodel from {n} node(s), {T} tokens/s and {S} sign-ins/s, at 100% CPU (no head-room):")
    print(f"  tokens:   nodes {T*m(t,'node_cpu_ms')/1000:.1f} vCPU, database {T*m(t,'db_cpu_ms')/1000:.1f} vCPU, nginx {T*m(t,'nginx_cpu_ms')/1000:.1f} vCPU,"
          f" {T*m(t,'statements'):.0f} statements/s, {T*m(t,'write_xacts'):.0f} writing commits/s, WAL {T*m(t,'wal_bytes')/1e6:.1f} MB/s")
    print(f"  sign-ins: nodes {S*m(s,'node_cpu_ms')/1000:.1f} vCPU, database {S*m(s,'db_cpu_ms')/1000:.1f} vCPU, nginx {S*m(s,'nginx_cpu_ms')/1000:.1f} vCPU,"
          f" {S*m(s,'statements'):.0f} statements/s, {S*m(s,'write_xacts'):.0f} writing commits/s, WAL {S*m(s,'wal_bytes')/1e6:.1f} MB/s")
    print(f"  bytes per row: " + ", ".join(f"{k} {v}" for k, v in rows.items()))
PY
echo "results in $OUT"
