#!/usr/bin/env bash
# Installs Debian's PostgreSQL client tools (pg_dump, pg_restore, psql, pg_basebackup) for bin/backup, bin/restore
# and the disaster-recovery tests (examples/cluster), only if pg_dump is missing. A newer client works with an older
# server (the embedded PostgreSQL 14 of the tests, pg_dump's and pg_basebackup's documented compatibility).
set -euo pipefail

if command -v pg_dump >/dev/null; then
  pg_dump --version
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "postgresql-client.sh: pg_dump is missing and apt-get needs root; install package postgresql-client" >&2
  exit 2
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "postgresql-client.sh: installing postgresql-client from Debian (first run only)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql-client >/dev/null
pg_dump --version
