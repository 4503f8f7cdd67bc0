#!/usr/bin/env bash
# Concord's storage backends side by side in one run: SQLite (the default), etcd with one member and
# etcd with three members (all on loopback), plus raw etcd puts on the 3-member cluster.
#
#   hack/bench/storage.sh                               # builds concord (release) and runs everything
#   CONCORD_BIN=path/to/concord DURATION=10 hack/bench/storage.sh
#
# For each backend: ConfigMap create rate with wrk (16 connections, 2 threads, 1 KiB, a new name per
# request), the CPU each create costs the concord server and the etcd members, watch delivery latency
# (WATCHERS watchers, WATCH_RATE writes/s) and LIST latency of LIST_OBJECTS objects.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH="$ROOT/hack/bench"
DURATION="${DURATION:-10}"
WATCHERS="${WATCHERS:-20}"
WATCH_RATE="${WATCH_RATE:-200}"
WATCH_SECONDS="${WATCH_SECONDS:-5}"
LIST_OBJECTS="${LIST_OBJECTS:-2000}"
TOKEN="bench-token"

for tool in wrk etcd python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "storage bench: $tool is required (apt-get install wrk etcd-server python3)" >&2; exit 1; }
done
if [[ -z "${CONCORD_BIN:-}" ]]; then
    echo "== building concord (release)"
    (cd "$ROOT" && swift build -c release --product concord >/dev/null)
    CONCORD_BIN="$(cd "$ROOT" && swift build -c release --show-bin-path)/concord"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/concord-storage-bench.XXXXXX")"
# Started processes are listed in a file: the helpers run in command substitutions (subshells).
cleanup() {
    while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$WORK/pids"
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
touch "$WORK/pids"
trap cleanup EXIT
py() { python3 "$BENCH/bench.py" "$@"; }

# Starts an etcd cluster of $2 members named $1; prints its client URLs, comma-separated.
start_etcd() {
    local name="$1" members="$2" cluster="" clients=() peers=() i
    for ((i = 0; i < members; i++)); do clients+=("$(py freeport)"); peers+=("$(py freeport)"); done
    for ((i = 0; i < members; i++)); do cluster+="${cluster:+,}$name$i=http://127.0.0.1:${peers[$i]}"; done
    for ((i = 0; i < members; i++)); do
        etcd --name "$name$i" --data-dir "$WORK/$name$i" --log-level error \
            --listen-client-urls "http://127.0.0.1:${clients[$i]}" --advertise-client-urls "http://127.0.0.1:${clients[$i]}" \
            --listen-peer-urls "http://127.0.0.1:${peers[$i]}" --initial-advertise-peer-urls "http://127.0.0.1:${peers[$i]}" \
            --initial-cluster "$cluster" --initial-cluster-token "$name" >"$WORK/$name$i.log" 2>&1 &
        echo "$!" >>"$WORK/pids"
    done
    for ((i = 0; i < members; i++)); do py wait "http://127.0.0.1:${clients[$i]}/health" 30 >/dev/null; done
    local urls=""
    for ((i = 0; i < members; i++)); do urls+="${urls:+,}http://127.0.0.1:${clients[$i]}"; done
    echo "$urls"
}

# Starts `concord server` with extra arguments; prints its port.
start_concord() {
    local name="$1"; shift
    local port; port="$(py freeport)"
    # Plain HTTP, like the etcd it is compared with (wrk drives both without TLS).
    "$CONCORD_BIN" server --data-dir "$WORK/$name" --port "$port" --token "$TOKEN" --insecure-plain-http --log-level warning "$@" >"$WORK/$name.log" 2>&1 &
    echo "$!" >>"$WORK/pids"
    py wait "http://127.0.0.1:$port/readyz" 30 >/dev/null
    echo "$port"
}

run_wrk() { # script url seconds prefix
    local out
    out="$(BENCH_PREFIX="$4" wrk -t 2 -c 16 -d "${3}s" --latency -s "$BENCH/$1" "$2")"
    if grep -q "Non-2xx" <<<"$out"; then echo "$out" >&2; exit 1; fi
    echo "$(awk '/Requests\/sec/ {print $2}' <<<"$out") req/s, $(awk '/Latency Distribution/ {on=1; next} on && /%/ {printf "%s=%s ", $1, $2} /requests in/ {on=0}' <<<"$out")"
}

# CPU time (ms) a set of processes has used so far.
cpu_ms() {
    local ticks=0 pid hz
    hz="$(getconf CLK_TCK)"
    for pid in "$@"; do ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
    echo $((ticks * 1000 / hz))
}

echo "== machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
ONE="$(start_etcd one 1)"
ONE_PIDS="$(tail -n 1 "$WORK/pids")"
THREE="$(start_etcd three 3)"
THREE_PIDS="$(tail -n 3 "$WORK/pids" | tr '\n' ' ')"
export BENCH_TOKEN="$TOKEN" BENCH_NAMESPACE=bench
for backend in sqlite etcd-1 etcd-3; do
    case "$backend" in
        sqlite) port="$(start_concord sqlite)"; etcd_pids="" ;;
        etcd-1) port="$(start_concord etcd1 --storage etcd --etcd-endpoints "$ONE")"; etcd_pids="$ONE_PIDS" ;;
        etcd-3) port="$(start_concord etcd3 --storage etcd --etcd-endpoints "$THREE")"; etcd_pids="$THREE_PIDS" ;;
    esac
    server_pid="$(tail -n 1 "$WORK/pids")"
    py namespace "$port" "$TOKEN" bench >/dev/null
    run_wrk concord-create.lua "http://127.0.0.1:$port" 2 warm >/dev/null
    echo "== $backend"
    before_server="$(cpu_ms "$server_pid")"
    # shellcheck disable=SC2086
    before_etcd="$(cpu_ms $etcd_pids)"
    create="$(run_wrk concord-create.lua "http://127.0.0.1:$port" "$DURATION" run)"
    echo "create (POST ConfigMap):  $create"
    n="$(python3 -c "print(max(1, round(${create%% *} * $DURATION)))")"
    # shellcheck disable=SC2086
    echo "CPU per create: concord server $(python3 -c "print('%.2f' % (($(cpu_ms "$server_pid") - $before_server) / $n))") ms, etcd members $(python3 -c "print('%.2f' % (($(cpu_ms $etcd_pids) - $before_etcd) / $n))") ms ($n creates)"
    py namespace "$port" "$TOKEN" watch >/dev/null
    py watch-latency "$port" "$TOKEN" watch "$WATCHERS" "$WATCH_RATE" "$WATCH_SECONDS"
    py namespace "$port" "$TOKEN" list >/dev/null
    py populate "$port" "$TOKEN" list obj "$LIST_OBJECTS" >/dev/null
    py list-latency "$port" "$TOKEN" "/api/v1/namespaces/list/configmaps" 10
done
echo "== raw etcd put (/v3/kv/put), 3 members"
echo "put: $(run_wrk etcd-put.lua "${THREE%%,*}" "$DURATION" raw)"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
