#!/usr/bin/env bash
# Starts Keycloak 26.7.3 (keycloak-quarkus-dist from Maven Central, as benchmarks/server-load/keycloak.sh) in dev mode
# on 127.0.0.1:$KEYCLOAK_PORT for browser sign-ins, with Argon2id at the given parameters, and creates through its
# admin REST API (kcadm.sh):
#   realm 'bench', password policy 'hashAlgorithm(argon2) and hashIterations(T)' (the argon2 provider's memory and
#     parallelism are server options: --spi-password-hashing--argon2--memory / --parallelism, type id, version 1.3);
#   public client 'bench-spa' (standard flow only, PKCE S256 required, redirect http://127.0.0.1:5173/callback);
#   user 'demo' (email, names and verified email set, so no required action interrupts the sign-in), password set
#     after the policy, so it is stored as Argon2id with these parameters.
# Prints the user's password on the last line of stdout; the server keeps running (kc.sh's pid in <work-dir>/keycloak.pid).
# Usage: benchmarks/signin-load/keycloak.sh <work-dir> <memory KiB> <iterations> <parallelism>
set -euo pipefail
WORK="${1:?work dir}"
M="${2:?memory KiB}"; T="${3:?iterations}"; P="${4:?parallelism}"
VERSION=26.7.3
PORT="${KEYCLOAK_PORT:-8480}"
ZIP=~/.m2/repository/org/keycloak/keycloak-quarkus-dist/$VERSION/keycloak-quarkus-dist-$VERSION.zip
[ -f "$ZIP" ] || "$(dirname "$0")/../../mvnw" -B -q dependency:get -Dtransitive=false -Dartifact=org.keycloak:keycloak-quarkus-dist:$VERSION:zip >&2
JDK=$(ls -d /usr/lib/jvm/temurin-*-jdk-* 2>/dev/null | sort -V | tail -1)
[ -n "$JDK" ] || { echo "Keycloak needs a Java 21+ JDK under /usr/lib/jvm" >&2; exit 2; }
mkdir -p "$WORK"
[ -d "$WORK/keycloak-$VERSION" ] || unzip -q "$ZIP" -d "$WORK"
KC="$WORK/keycloak-$VERSION"
ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '=+/')
USER_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '=+/')
JAVA_HOME="$JDK" KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
  "$KC/bin/kc.sh" start-dev --http-host=127.0.0.1 --http-port="$PORT" --log-level=warn \
  --spi-password-hashing--argon2--memory="$M" --spi-password-hashing--argon2--parallelism="$P" \
  --spi-password-hashing--argon2--type=id --spi-password-hashing--argon2--version=1.3 >"$WORK/keycloak.log" 2>&1 &
echo $! >"$WORK/keycloak.pid"
for _ in $(seq 1 240); do curl -s -o /dev/null "http://localhost:$PORT/realms/master" && break; sleep 1; done
export JAVA_HOME="$JDK"
kcadm() { "$KC/bin/kcadm.sh" "$@" --config "$WORK/kcadm.config" >&2; }
kcadm config credentials --server "http://localhost:$PORT" --realm master --user admin --password "$ADMIN_PASSWORD"
kcadm create realms -s realm=bench -s enabled=true -s "passwordPolicy=hashAlgorithm(argon2) and hashIterations($T)"
kcadm create clients -r bench -s clientId=bench-spa -s enabled=true -s publicClient=true -s standardFlowEnabled=true \
  -s directAccessGrantsEnabled=false -s implicitFlowEnabled=false -s 'redirectUris=["http://127.0.0.1:5173/callback"]' \
  -s 'attributes."pkce.code.challenge.method"=S256'
USER_ID=$("$KC/bin/kcadm.sh" create users --config "$WORK/kcadm.config" -r bench -i -s username=demo -s enabled=true \
  -s email=demo@example.com -s emailVerified=true -s firstName=Demo -s lastName=User)
kcadm set-password -r bench --username demo --new-password "$USER_PASSWORD"
# Fail closed: the stored credential must be Argon2id with exactly these parameters, or the comparison is void.
STORED=$("$KC/bin/kcadm.sh" get "users/$USER_ID/credentials" --config "$WORK/kcadm.config" -r bench | tr -d '\\ \n')
echo "stored password credential: $(grep -o '"credentialData":"[^}]*}[^}]*}' <<<"$STORED" || true)" >&2
for want in '"algorithm":"argon2"' "\"hashIterations\":$T[,}]" "\"memory\":\[\"$M\"\]" "\"parallelism\":\[\"$P\"\]" '"type":\["id"\]'; do
  grep -q "$want" <<<"$STORED" || { echo "Keycloak did not store the password as expected ($want): $STORED" >&2; exit 1; }
done
echo "$USER_PASSWORD"
