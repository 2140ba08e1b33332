# Sourced by the bin/setup.d scripts that install Node packages (node-rp.sh, node-axe.sh); bin/test runs only *.sh.
# ensure_node NAME WHAT: Node.js and npm on the PATH, installed with apt-get if missing (first run only).

ensure_node() {
  local name="$1" what="$2"
  if command -v node >/dev/null && command -v npm >/dev/null; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "$name: Node.js and npm are needed for $what; install packages nodejs and npm" >&2
    exit 2
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "$name: installing Node.js with apt-get (first run only)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs >/dev/null
  # NodeSource's nodejs package carries npm (and conflicts with Debian's npm package); Debian's does not.
  if ! command -v npm >/dev/null; then
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq npm >/dev/null
  fi
}

# npm_ci_once NAME DIR: `npm ci` (no lifecycle scripts) in DIR exactly as its package-lock.json pins, skipped when
# DIR/node_modules was installed from the same lockfile: its SHA-256 is kept in node_modules/.gatehouse-lock.sha256.
npm_ci_once() {
  local name="$1" dir="$2"
  local want stamp
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  stamp="$dir/node_modules/.gatehouse-lock.sha256"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$name: $dir/node_modules matches package-lock.json (node $(node --version))"
    return 0
  fi
  echo "$name: npm ci in $dir (node $(node --version), npm $(npm --version))"
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
}
