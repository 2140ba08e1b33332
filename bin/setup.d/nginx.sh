#!/usr/bin/env bash
# Installs Debian's nginx for the cluster tests and bin/cluster (examples/cluster), if missing. The tests run nginx
# themselves as their own process (`nginx -p DIR -c DIR/nginx.conf`, on a free loopback port); the package's
# system service is never started: a temporary policy-rc.d refuses service starts during the install (Debian's
# invoke-rc.d convention: exit 101 = action forbidden), and the service is not enabled.
set -euo pipefail

if [ -x /usr/sbin/nginx ]; then
  /usr/sbin/nginx -v 2>&1 | sed -n 1p
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "nginx.sh: nginx is missing and apt-get needs root; install package nginx" >&2
  exit 2
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "nginx.sh: installing nginx from Debian (first run only)"

policy=/usr/sbin/policy-rc.d
saved=""
if [ -e "$policy" ]; then
  # Someone else's policy: put it aside for the length of the install and put it back afterwards.
  saved="$(mktemp "${TMPDIR:-/tmp}/policy-rc.d.XXXXXX")"
  $SUDO cp -p "$policy" "$saved"
fi
restore_policy() {
  if [ -n "$saved" ]; then
    $SUDO cp -p "$saved" "$policy" && $SUDO rm -f "$saved"
  else
    $SUDO rm -f "$policy"
  fi
}
trap restore_policy EXIT
printf '#!/bin/sh\n# Written by Gatehouse bin/setup.d/nginx.sh for the length of one install.\nexit 101\n' \
  | $SUDO tee "$policy" >/dev/null
$SUDO chmod 755 "$policy"

$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx >/dev/null
/usr/sbin/nginx -v 2>&1 | sed -n 1p
