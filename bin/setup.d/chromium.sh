#!/usr/bin/env bash
# Installs Debian's Chromium and ChromeDriver for the end-to-end browser test (examples/e2e), if missing.
# Test tools never download browsers of their own here; the test points Selenium at these two binaries.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  /usr/bin/chromedriver --version | sed -n 1p
  exit 0
fi
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "chromium.sh: Chromium is missing and apt-get needs root; install packages chromium and chromium-driver" >&2
  exit 2
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "chromium.sh: installing chromium and chromium-driver from Debian (first run only)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
/usr/bin/chromedriver --version | sed -n 1p
