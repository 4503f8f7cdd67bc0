#!/usr/bin/env bash
# Concord control plane vs etcd 3.4, side by side in one run on this machine.
#
#   hack/bench/run.sh                 # builds concord (release) and runs everything
#   CONCORD_BIN=path/to/concord hack/bench/run.sh     # use an existing release binary
#   DURATION=15 WATCH_SECONDS=10 TOTAL_OBJECTS=100000 hack/bench/run.sh
#
# (a) creates of 1 KiB ConfigMaps against `concord server` and (b) 1 KiB puts against etcd's
# HTTP/JSON gateway (/v3/kv/put), both driven by wrk with the same settings (16 connections,
# 2 threads), each request a new name/key. Same durability class: an acknowledged write is on disk
# (concord: SQLite WAL with synchronous=FULL, its default; etcd: WAL fsync per commit, its default).
# Then: watch delivery latency (100 watchers, 1,000 writes/s), write latency while one watcher stops
# reading, memory per idle watch, LIST latency for 10,000 objects and
# concord's peak RSS (VmHWM) with 100,000 objects stored.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH="$ROOT/hack/bench"
DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-3}"
CONNECTIONS=16
THREADS=2
WATCHERS="${WATCHERS:-100}"
WATCH_RATE="${WATCH_RATE:-1000}"
WATCH_SECONDS="${WATCH_SECONDS:-10}"
LIST_OBJECTS="${LIST_OBJECTS:-10000}"
TOTAL_OBJECTS="${TOTAL_OBJECTS:-100000}"
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need etcd; then
    echo "== installing wrk and etcd-server"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq wrk etcd-server >/dev/null
fi
need python3 || { echo "python3 is required" >&2; exit 1; }

if [[ -z "${CONCORD_BIN:-}" ]]; then
    echo "== building concord (release)"
    (cd "$ROOT" && swift build -c release --product concord ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"} >/dev/null)
    CONCORD_BIN="$(cd "$ROOT" && swift build -c release ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"} --show-bin-path)/concord"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/concord-bench.XXXXXX")"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

py() { python3 "$BENCH/bench.py" "$@"; }
CPORT="$(py freeport)"; EPORT="$(py freeport)"; PPORT="$(py freeport)"

echo "== machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg); data in $WORK ($(df -T "$WORK" | awk 'NR==2{print $2}'))"

# Plain HTTP, like the etcd gateway it is compared with (wrk drives both without TLS).
"$CONCORD_BIN" server --data-dir "$WORK/concord" --port "$CPORT" --token "$TOKEN" --insecure-plain-http --log-level warning >"$WORK/concord.log" 2>&1 &
CONCORD_PID=$!; PIDS+=("$CONCORD_PID")
etcd --name bench --data-dir "$WORK/etcd" \
    --listen-client-urls "http://127.0.0.1:$EPORT" --advertise-client-urls "http://127.0.0.1:$EPORT" \
    --listen-peer-urls "http://127.0.0.1:$PPORT" --initial-advertise-peer-urls "http://127.0.0.1:$PPORT" \
    --initial-cluster "bench=http://127.0.0.1:$PPORT" --log-level error >"$WORK/etcd.log" 2>&1 &
PIDS+=("$!")
py wait "http://127.0.0.1:$CPORT/readyz" 30
py wait "http://127.0.0.1:$EPORT/health" 30
py namespace "$CPORT" "$TOKEN" bench
echo "== concord $("$CONCORD_BIN" --version 2>/dev/null || true) pid $CONCORD_PID; $(etcd --version | head -1)"

export BENCH_TOKEN="$TOKEN" BENCH_NAMESPACE=bench
# Prints the request rate of one wrk run; fails if any answer was not 2xx.
run_wrk() { # name script url seconds prefix
    local out
    out="$(BENCH_PREFIX="$5" wrk -t "$THREADS" -c "$CONNECTIONS" -d "${4}s" --latency -s "$BENCH/$2" "$3")"
    echo "$out" >"$WORK/wrk-$1-$5.txt"
    if grep -q "Non-2xx" <<<"$out"; then echo "$1: $(grep Non-2xx <<<"$out")" >&2; echo "$out" >&2; exit 1; fi
    awk '/Requests\/sec/ {print $2}' <<<"$out"
}
latency_line() { # name prefix
    awk '/Latency Distribution/ {on=1; next} on && /%/ {printf "%s=%s ", $1, $2} /requests in/ {on=0}' "$WORK/wrk-$1-$2.txt"
}

echo "== warm-up (${WARMUP} s each)"
run_wrk etcd etcd-put.lua "http://127.0.0.1:$EPORT" "$WARMUP" warm >/dev/null
run_wrk concord concord-create.lua "http://127.0.0.1:$CPORT" "$WARMUP" warm >/dev/null

echo "== wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, 1 KiB values, a new key per request"
ETCD_RATE="$(run_wrk etcd etcd-put.lua "http://127.0.0.1:$EPORT" "$DURATION" run)"
echo "etcd 3.4 put (/v3/kv/put):           ${ETCD_RATE} req/s   latency $(latency_line etcd run)"
CONCORD_RATE="$(run_wrk concord concord-create.lua "http://127.0.0.1:$CPORT" "$DURATION" run)"
echo "concord ConfigMap create (POST):     ${CONCORD_RATE} req/s   latency $(latency_line concord run)"
python3 -c "print('ratio concord/etcd: %.2f' % ($CONCORD_RATE / $ETCD_RATE))"
echo "   (load after the write runs: $(cut -d' ' -f1-3 /proc/loadavg))"

echo "== watch delivery: $WATCHERS watchers, $WATCH_RATE writes/s for $WATCH_SECONDS s"
py namespace "$CPORT" "$TOKEN" watch
py watch-latency "$CPORT" "$TOKEN" watch "$WATCHERS" "$WATCH_RATE" "$WATCH_SECONDS"
WATCH_CREATED=$(python3 -c "print(int($WATCH_RATE * $WATCH_SECONDS) + 1)")

echo "== a watcher that stops reading, and idle watches"
py namespace "$CPORT" "$TOKEN" slow
py slow-watcher "$CPORT" "$TOKEN" slow
py namespace "$CPORT" "$TOKEN" idle
py idle-watchers "$CPORT" "$TOKEN" idle "${IDLE_WATCHERS:-2000}" "$CONCORD_PID"

echo "== LIST of $LIST_OBJECTS objects"
py namespace "$CPORT" "$TOKEN" list
py populate "$CPORT" "$TOKEN" list obj "$LIST_OBJECTS"
py list-latency "$CPORT" "$TOKEN" "/api/v1/namespaces/list/configmaps" 20
py list-latency "$CPORT" "$TOKEN" "/api/v1/namespaces/list/configmaps?limit=500" 20

echo "== memory with $TOTAL_OBJECTS objects"
# Count what was created so far from the runs themselves: a LIST (even with limit=1) would read every object.
EXISTING=$(( $(cat "$WORK"/wrk-concord-*.txt | awk '/requests in/ {n += $1} END {print n}') + LIST_OBJECTS + WATCH_CREATED + 3600 ))
if (( EXISTING < TOTAL_OBJECTS )); then
    py namespace "$CPORT" "$TOKEN" fill
    py populate "$CPORT" "$TOKEN" fill obj "$((TOTAL_OBJECTS - EXISTING))"
fi
echo "concord with $TOTAL_OBJECTS ConfigMaps stored: $(py rss "$CONCORD_PID")"
py list-latency "$CPORT" "$TOKEN" "/api/v1/configmaps" 1
echo "concord after one LIST of all of them: $(py rss "$CONCORD_PID")   (VmHWM = peak RSS over the whole run)"
echo "database: $(du -sh "$WORK/concord" | cut -f1); load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
