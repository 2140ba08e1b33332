#!/usr/bin/env bash
# Starts Keycloak 26.7.3 (keycloak-quarkus-dist from Maven Central) in dev mode on :8080 and creates realm
# 'bench' with a confidential client 'bench' (service accounts, client credentials only). Prints the client
# secret on the last line of stdout. Keycloak needs Java 21+: it runs on the newest Temurin JDK under /usr/lib/jvm.
# GRANT=refresh_token (run.sh) also turns on refresh-token rotation in the realm ("Revoke Refresh Token" on, maximum
# reuse 0), allows the password grant on 'bench' (for the initial refresh tokens only; the measured request is the
# refresh grant) and creates user 'demo', whose password it writes to <work-dir>/demo-password. GRANT=introspection
# also allows the password grant and creates 'demo' (its tokens are the introspection pool, see below).
# Usage: benchmarks/server-load/keycloak.sh <work-dir>   (the server keeps running; its pid is in <work-dir>/keycloak.pid)
set -euo pipefail
WORK="${1:?work dir}"
VERSION=26.7.3
PORT="${KEYCLOAK_PORT:-8080}"
ZIP=~/.m2/repository/org/keycloak/keycloak-quarkus-dist/$VERSION/keycloak-quarkus-dist-$VERSION.zip
[ -f "$ZIP" ] || "$(dirname "$0")/../../mvnw" -B -q dependency:get -Dtransitive=false -Dartifact=org.keycloak:keycloak-quarkus-dist:$VERSION:zip >&2
JDK=$(ls -d /usr/lib/jvm/temurin-*-jdk-* 2>/dev/null | sort -V | tail -1)
[ -n "$JDK" ] || { echo "Keycloak needs a Java 21+ JDK under /usr/lib/jvm" >&2; exit 2; }
mkdir -p "$WORK"
[ -d "$WORK/keycloak-$VERSION" ] || unzip -q "$ZIP" -d "$WORK"
KC="$WORK/keycloak-$VERSION"
ADMIN_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '=+/')
SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '=+/')
JAVA_HOME="$JDK" KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
  "$KC/bin/kc.sh" start-dev --http-port="$PORT" --log-level=warn >"$WORK/keycloak.log" 2>&1 &
echo $! >"$WORK/keycloak.pid"
for _ in $(seq 1 300); do curl -s -o /dev/null "http://localhost:$PORT/realms/master" && break; sleep 1; done
export JAVA_HOME="$JDK"
"$KC/bin/kcadm.sh" config credentials --config "$WORK/kcadm.config" --server "http://localhost:$PORT" \
  --realm master --user admin --password "$ADMIN_PASSWORD" >&2
ROTATION=(); DIRECT=false
[ "${GRANT:-}" = refresh_token ] && ROTATION=(-s revokeRefreshToken=true -s refreshTokenMaxReuse=0) && DIRECT=true
# Keycloak 26 gives client-credentials tokens a transient session: the introspection pool is made of user 'demo''s
# tokens from the password grant (a regular session each). Since 26.6.2 its introspection also answers active=false
# unless the introspecting client is in the token's aud (keycloak/keycloak#51552): the client puts itself there with
# an audience mapper below (harmless for the other grants).
[ "${GRANT:-}" = introspection ] && DIRECT=true
"$KC/bin/kcadm.sh" create realms --config "$WORK/kcadm.config" -s realm=bench -s enabled=true "${ROTATION[@]}" >&2
"$KC/bin/kcadm.sh" create clients --config "$WORK/kcadm.config" -r bench -s clientId=bench -s enabled=true \
  -s publicClient=false -s serviceAccountsEnabled=true -s standardFlowEnabled=false \
  -s directAccessGrantsEnabled=$DIRECT -s clientAuthenticatorType=client-secret -s secret="$SECRET" \
  -s 'protocolMappers=[{"name":"self-audience","protocol":"openid-connect","protocolMapper":"oidc-audience-mapper","config":{"included.client.audience":"bench","access.token.claim":"true","id.token.claim":"false","introspection.token.claim":"true"}}]' >&2
if [ "$DIRECT" = true ]; then
  USER_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '=+/')
  # email, names and verified email set, so no required action refuses the password grant
  "$KC/bin/kcadm.sh" create users --config "$WORK/kcadm.config" -r bench -s username=demo -s enabled=true \
    -s email=demo@example.com -s emailVerified=true -s firstName=Demo -s lastName=User >&2
  "$KC/bin/kcadm.sh" set-password --config "$WORK/kcadm.config" -r bench --username demo --new-password "$USER_PASSWORD" >&2
  (umask 077; echo "$USER_PASSWORD" >"$WORK/demo-password")
fi
echo "$SECRET"
