#!/usr/bin/env bash
# Startup time of `allos --version`: a ReadyToRun publish against a plain (JIT) one, N runs each, median and p90 in ms.
#   bash bench/cli-startup.sh [runs]      (default 30; publishes into a temporary folder first)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rid=$(dotnet --info | awk '/RID:/ { print $2; exit }')

dotnet publish src/Allos.Cli -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true -o "$out/r2r" > /dev/null
dotnet publish src/Allos.Cli -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=false -o "$out/jit" > /dev/null

measure() {
  local exe=$1 times=()
  "$exe" --version > /dev/null   # warm the file cache once
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$exe" --version > /dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" '{ a[NR] = $1 } END { printf "median %d ms, p90 %d ms, min %d ms\n", a[int((n + 1) / 2)], a[int(n * 0.9)], a[1] }'
}

echo "allos --version, $runs runs each ($rid)"
echo "  ReadyToRun: $(measure "$out/r2r/Allos.Cli")"
echo "  JIT only:   $(measure "$out/jit/Allos.Cli")"
