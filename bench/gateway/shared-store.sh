#!/usr/bin/env bash
# What the shared store costs (issue 16): the Allos gateway alone against the fake upstream, once per store (the default
# SQLite file with limits in memory; PostgreSQL; with Npgsql's own pool defaults; with 50 keys; PostgreSQL + Redis),
# every call with a virtual key that has limits, so each one is reserved and settled; prints one Markdown table with
# each store's figures beside the in-memory ones (see bench/README.md).
#   bash bench/gateway/shared-store.sh           full run (~4.5 min after the build)
#   bash bench/gateway/shared-store.sh --quick   smoke run (~1.5 min after the build)
# The gateway runs pinned to core 0; the upstream, the harness, PostgreSQL and Redis share the other cores.
set -euo pipefail
cd "$(dirname "$0")/../.."

quick=false
case "${1:-}" in
  --quick) quick=true ;;
  "") ;;
  *) echo "usage: bash bench/gateway/shared-store.sh [--quick]" >&2; exit 2 ;;
esac

# Debian installs PostgreSQL's server binaries per major version outside PATH; the newest wins (as PostgresServer does).
pg_bin() {
  command -v "$1" 2> /dev/null && return
  ls -d /usr/lib/postgresql/*/bin/"$1" 2> /dev/null | sort -V | tail -1
}
initdb=$(pg_bin initdb) pg_ctl=$(pg_bin pg_ctl) psql=$(pg_bin psql) pgbench=$(pg_bin pgbench)
[[ -n $initdb && -n $pg_ctl && -n $psql && -n $pgbench ]] || { echo "shared-store.sh needs PostgreSQL's initdb, pg_ctl, psql and pgbench (apt-get install postgresql)" >&2; exit 3; }
for tool in dotnet taskset curl jq redis-server; do
  command -v "$tool" > /dev/null || { echo "shared-store.sh needs '$tool' on the PATH (apt-get install util-linux curl jq redis-server; the .NET 10 SDK)" >&2; exit 3; }
done

work=$(mktemp -d)
pg=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  [[ -f $pg/data/postmaster.pid ]] && as_pg "$pg_ctl" stop -D "$pg/data" -m immediate -w > /dev/null 2>&1 || true
  wait 2> /dev/null || true
  rm -rf "$work" "$pg"
}
trap cleanup EXIT INT TERM

# PostgreSQL refuses to run as root: then its commands run as the postgres user Debian's package creates (or nobody).
as_pg() { "$@"; }
if [[ $(id -u) == 0 ]]; then
  pg_user=$(grep -q '^postgres:' /etc/passwd && echo postgres || echo nobody)
  chown -R "$pg_user" "$pg"
  as_pg() { runuser -u "$pg_user" -- "$@"; }
fi

echo "building (Release)..." >&2
dotnet build bench/gateway/GatewayBench -c Release -v quiet -nologo > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
dotnet build src/Allos.Gateway -c Release -v quiet -nologo > "$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
bench=bench/gateway/GatewayBench/bin/Release/net10.0/GatewayBench
gateway=src/Allos.Gateway/bin/Release/net10.0/Allos.Gateway
built=$SECONDS

cores=$(nproc)
if (( cores >= 2 )); then server_cpus=0; other_cpus=1-$((cores - 1)); else server_cpus=0; other_cpus=0; fi

# Starts "$@" in the background with its output in $work/$name.log and waits for the line "$pattern"; sets $started.
# Returns 1 (the log says why) when the process exits or does not get there in 30 s.
try_start() {
  local name=$1 pattern=$2; shift 2
  "$@" > "$work/$name.log" 2>&1 &
  started=$!
  pids+=("$started")
  for _ in $(seq 300); do
    if grep -qE "$pattern" "$work/$name.log"; then return 0; fi
    kill -0 "$started" 2> /dev/null || return 1
    sleep 0.1
  done
  kill "$started" 2> /dev/null || true
  return 1
}
start() { try_start "$@" || { echo "$1 did not start:" >&2; cat "$work/$1.log" >&2; exit 1; }; }
url_of() { grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/$1.log" | head -1; }
load1() { cut -d' ' -f1 /proc/loadavg; }

chunks=20
start upstream "listening on" taskset -c "$other_cpus" "$bench" upstream --port 0 --chunks $chunks --interval-ms 10
upstream_url=$(url_of upstream)

# A private PostgreSQL as the integration tests start it (trust authentication on loopback, no fsync: the gateway's
# cost is measured, not this machine's disk), on the other cores: in production it is another machine.
echo "starting PostgreSQL and Redis..." >&2
as_pg "$initdb" -D "$pg/data" -U allos --auth=trust --no-sync -E UTF8 --locale=C > "$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; exit 1; }
mkdir -p "$pg/socket" && chown "$(stat -c %u "$pg/data")" "$pg/socket"
pg_port=$("$bench" free-port)
as_pg taskset -c "$other_cpus" "$pg_ctl" start -D "$pg/data" -w -t 30 -l "$pg/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  > /dev/null 2>&1 || { cat "$pg/server.log" >&2; exit 1; }
sql() { "$psql" -h 127.0.0.1 -p "$pg_port" -U allos -d "$1" -XAtq -c "$2"; }

redis_port=$("$bench" free-port)
start redis "Ready to accept connections" taskset -c "$other_cpus" redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no

if $quick; then
  load=(--warmup 200 --warmup-seconds 4 --requests 600 --rps-seconds 3)
else
  load=(--warmup 1000 --warmup-seconds 10 --requests 4000 --rps-seconds 10)
fi

master=sk-bench-master
# One row per configuration: name, then the harness's cells: added p50, added p99, RPS, CPU per call, errors; and the load.
rows=()
direct=""

# Runs the gateway with "$store_yaml" (allos.yaml lines), makes $count keys with limits (the harness takes them in turn),
# measures; appends to rows. With $database, prints what the keys' spend in it came to.
measure() {
  local name=$1 count=$2 store_yaml=$3 database=${4:-}
  local start_load; start_load=$(load1)
  rm -rf "$work/home" && mkdir -p "$work/home"
  printf '%smodels:\n  bench:\n    deployments:\n      - model: openai/gpt-4o-mini\n        api_key: sk-bench\n        base_url: %s/v1\n' \
    "$store_yaml" "$upstream_url" > "$work/allos.yaml"
  if ! try_start allos "listening on" env -u ALLOS_DATABASE_URL ALLOS_MASTER_KEY=$master ALLOS_HOME="$work/home" \
      taskset -c "$server_cpus" "$gateway" --config "$work/allos.yaml" --host 127.0.0.1 --port 0; then
    echo "[$name] the gateway did not start: $(head -c 300 "$work/allos.log")" >&2
    rows+=("$name|n/a ($5)")
    return
  fi
  local pid=$started url; url=$(url_of allos)

  # Every limit set and far above what the run reaches, so every call is reserved and settled and none is refused.
  local keys=() key
  for _ in $(seq "$count"); do
    key=$(curl -fsS "$url/key/generate" -H "Authorization: Bearer $master" -H 'Content-Type: application/json' \
      -d '{"models":["bench"],"max_budget":1000000,"rpm_limit":1000000000,"tpm_limit":2000000000,"max_parallel_requests":100000}' | jq -r .key)
    [[ $key == sk-* ]] || { echo "[$name] /key/generate gave no key" >&2; exit 1; }
    keys+=(--key "$key")
  done

  echo "[$name] gateway $url (pid $pid, core $server_cpus), load average $start_load" >&2
  # Whole calls only: streams (--stream-rounds 0) and the RSS soak (--soak-seconds 0) are run.sh's.
  local table
  table=$(taskset -c "$other_cpus" "$bench" load --upstream "$upstream_url" "${keys[@]}" "${load[@]}" \
    --concurrency 50 --streams 1 --stream-rounds 0 --steady-rounds 0 --chunks $chunks --soak-seconds 0 --target "allos=$url@$pid")
  [[ -n $direct ]] || direct=$(grep '^| direct' <<< "$table")
  local row; row=$(grep '^| allos |' <<< "$table")
  rows+=("$name|$(awk -F' \\| ' '{ print $2 "|" $3 "|" $4 "|" $5 "|" $13 }' <<< "${row% |}")|$start_load → $(load1)")

  if [[ -n $database ]]; then
    # The shared path is really taken: the keys' spend, settled in the database, grows with the calls.
    sleep 1
    local spent; spent=$(sql "$database" "SELECT round(sum(spend_nanos) / 1e9, 6) FROM virtual_keys")
    echo "[$name] in PostgreSQL: $(sql "$database" "SELECT count(*) FROM virtual_keys") keys, spend $spent USD, $(sql "$database" "SELECT count(*) FROM model_calls") spend-log rows" >&2
    [[ $spent != 0.000000 ]] || echo "[$name] WARNING: no spend settled in PostgreSQL: the shared path was not taken" >&2
  fi
  kill "$pid"; wait "$pid" 2> /dev/null || true
}

pg_url() { sql postgres "CREATE DATABASE $1" && echo "postgres://allos@127.0.0.1:$pg_port/$1$2"; }

measure in-memory 1 ""
measure postgres 1 "store: $(pg_url bench_pg "")
" bench_pg
# The store prepares statements on first use and hands pooled connections back without a reset (Npgsql's default reset,
# DISCARD ALL, also drops the plans PL/pgSQL cached for allos_reserve and allos_settle); this row turns both back to
# Npgsql's defaults, to show what they cost.
measure "postgres, Npgsql's defaults" 1 "store: $(pg_url bench_npgsql "?max_auto_prepare=0&no_reset_on_close=false")
" bench_npgsql
# One key at c=50 makes every reservation wait for the one row lock the others hold; 50 keys, taken in turn, show
# what the database path costs when the callers do not share an account.
measure "postgres, 50 keys" 50 "store: $(pg_url bench_keys "")
" bench_keys
measure "postgres + redis" 1 "store: $(pg_url bench_redis "")
redis: redis://127.0.0.1:$redis_port
" bench_redis "redis: not supported by this build"
measure "postgres + redis, 50 keys" 50 "store: $(pg_url bench_redis_keys "")
redis: redis://127.0.0.1:$redis_port
" bench_redis_keys "redis: not supported by this build"

# The floor under any store on this machine: one round trip to this server (SELECT 1, one connection, from core 1).
echo 'SELECT 1;' > "$work/select1.sql"
round_trip=$(taskset -c "$other_cpus" "$pgbench" -h 127.0.0.1 -p "$pg_port" -U allos -n -c 1 -T "$($quick && echo 2 || echo 5)" -f "$work/select1.sql" postgres 2> /dev/null \
  | grep -oE 'latency average = [0-9.]+ ms' | grep -oE '[0-9.]+ ms' || echo "n/a")

# The table: each store's figures, then throughput and p50 against the in-memory row (target: ≥ 90 %, ≤ +0.1 ms).
number() { tr -d ', ' <<< "${1%% *}"; }
IFS='|' read -r _ base_p50 _ base_rps _ _ _ <<< "${rows[0]}"
echo "| store | added p50, c=1 | added p99, c=1 | RPS, c=50, gateway on 1 core | gateway CPU per call | throughput vs in-memory | p50 vs in-memory | errors | load average (1 min) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
[[ -n $direct ]] && awk -F' \\| ' '{ print "| direct to upstream (absolute) | " $2 " | " $3 " | " $4 " | — | — | — | — | — |" }' <<< "${direct% |}"
for row in "${rows[@]}"; do
  IFS='|' read -r name p50 p99 rps cpu errors loads <<< "$row"
  if [[ $p50 == n/a* ]]; then
    echo "| $name | $p50 | | | | | | | |"
    continue
  fi
  ratio=$(awk -v a="$(number "$rps")" -v b="$(number "$base_rps")" 'BEGIN { printf "%.1f %%", 100 * a / b }')
  delta=$(awk -v a="$(number "$p50")" -v b="$(number "$base_p50")" 'BEGIN { printf "%+.3f ms", a - b }')
  echo "| $name | $p50 | $p99 | $rps | $cpu | $ratio | $delta | $errors | $loads |"
done
echo
echo "One PostgreSQL round trip on this machine (pgbench, SELECT 1, one connection): $round_trip on average; $(uptime | grep -oE 'load average.*')."
echo "measured in $((SECONDS - built)) s after the build" >&2
