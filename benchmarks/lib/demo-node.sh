# Shared by the scripts that start one demo-mode Gatehouse node (benchmarks/burst, benchmarks/soak, bin/soak-check):
# waiting for it and reading the demo credentials it writes into its data directory. Source it; it defines functions
# only.

# wait_demo_node PORT DATA_DIR PID: up to 180 s for the JWKS to answer and the demo credentials to be written;
# returns 1 at once if the process died, or at the end of the wait.
wait_demo_node() {
  local port="$1" data="$2" pid="$3"
  for _ in $(seq 1 180); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/oauth2/jwks" && [ -s "$data/demo-credentials.txt" ]; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 1
  done
  return 1
}

# demo_password DATA_DIR: the demo user's generated password.
demo_password() { awk '/user demo password/ {print $NF}' "$1/demo-credentials.txt"; }

# demo_service_secret DATA_DIR: the confidential demo client's (gatehouse-demo-service) generated secret.
demo_service_secret() { awk '/service secret/ {print $NF}' "$1/demo-credentials.txt"; }
