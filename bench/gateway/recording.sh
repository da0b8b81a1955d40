#!/usr/bin/env bash
# What the gateway's own recording costs: Allos alone against the fake upstream, once per `gateway:` setting (spend log
# and /metrics on and off), with the same harness as run.sh; prints one harness row per setting (~4 min after the build).
#   bash bench/gateway/recording.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done; wait 2> /dev/null || true; rm -rf "$work"; }
trap cleanup EXIT INT TERM

echo "building (Release)..." >&2
dotnet build bench/gateway/GatewayBench -c Release -v quiet -nologo > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
dotnet build src/Allos.Gateway -c Release -v quiet -nologo > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
bench=bench/gateway/GatewayBench/bin/Release/net10.0/GatewayBench
gateway=src/Allos.Gateway/bin/Release/net10.0/Allos.Gateway
url_of() { grep -oE 'http://127\.0\.0\.1:[0-9]+' "$1" | head -1; }
wait_for() { for _ in $(seq 300); do grep -q "listening on" "$1" && return; sleep 0.1; done; cat "$1" >&2; exit 1; }

taskset -c 1 "$bench" upstream --port 0 --chunks 20 --interval-ms 10 > "$work/upstream.log" 2>&1 &
pids+=($!)
wait_for "$work/upstream.log"
upstream=$(url_of "$work/upstream.log")

settings=("" "gateway: {spend_log: false}" "gateway: {metrics: false}" "gateway: {spend_log: false, metrics: false}")
for setting in "${settings[@]}"; do
  mkdir -p "$work/home"
  printf '%s\nmodels:\n  bench:\n    deployments:\n      - model: openai/gpt-4o-mini\n        api_key: sk-bench\n        base_url: %s/v1\n' "$setting" "$upstream" > "$work/allos.yaml"
  env -u ALLOS_MASTER_KEY ALLOS_HOME="$work/home" taskset -c 0 "$gateway" --config "$work/allos.yaml" --host 127.0.0.1 --port 0 > "$work/allos.log" 2>&1 &
  pid=$!
  wait_for "$work/allos.log"
  row=$(taskset -c 1 "$bench" load --upstream "$upstream" --warmup 1000 --warmup-seconds 15 --requests 5000 --rps-seconds 10 \
    --stream-rounds 3 --soak-seconds 2 --concurrency 50 --streams 100 --chunks 20 --stall-ms 50 \
    --target "allos=$(url_of "$work/allos.log")@$pid" 2> /dev/null | tail -1)
  echo "| ${setting:-(defaults)} $row"
  kill "$pid"; wait "$pid" 2> /dev/null || true
  rm -rf "$work/home"
done
