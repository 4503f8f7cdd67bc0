#!/usr/bin/env bash
# The SQLite create rate of two concord builds, side by side in one run: did a change slow the default store?
#
#   hack/bench/compare.sh OLD_CONCORD NEW_CONCORD
#   ROUNDS=5 DURATION=10 hack/bench/compare.sh old/concord new/concord
#
# Each round starts a fresh `concord server` (SQLite, plain HTTP on loopback) from each binary in turn,
# the order alternating between rounds so neither always runs second, and drives 1 KiB ConfigMap
# creates at it with wrk (16 connections, 2 threads, a new name per request) after a warm-up. It prints
# every round and the median rate of each build, and the ratio new/old.
set -euo pipefail
shopt -s inherit_errexit

OLD="${1:?usage: hack/bench/compare.sh OLD_CONCORD NEW_CONCORD}"
NEW="${2:?usage: hack/bench/compare.sh OLD_CONCORD NEW_CONCORD}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH="$ROOT/hack/bench"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
command -v wrk >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
py() { python3 "$BENCH/bench.py" "$@"; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/concord-compare.XXXXXX")"
PID=""
cleanup() { [[ -n "$PID" ]] && kill "$PID" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# rate BINARY LABEL ROUND: creates/s of one fresh server.
rate() {
    local bin="$1" dir="$WORK/$2-$3" port token="compare-$RANDOM$RANDOM" plain=() out
    port="$(py freeport)"
    # Builds since TLS became the default need the flag to serve plain HTTP; older ones serve it anyway.
    if "$bin" server --help 2>&1 | grep -q -- "--insecure-plain-http"; then plain=(--insecure-plain-http); fi
    "$bin" server --data-dir "$dir" --port "$port" --token "$token" "${plain[@]}" --log-level warning >"$dir.log" 2>&1 &
    PID=$!
    py wait "http://127.0.0.1:$port/readyz" 30 || { echo "$2 server did not become ready; its log:" >&2; cat "$dir.log" >&2; exit 1; }
    py namespace "$port" "$token" bench
    export BENCH_TOKEN="$token" BENCH_NAMESPACE=bench
    BENCH_PREFIX="warm" wrk -t 2 -c 16 -d "${WARMUP}s" -s "$BENCH/concord-create.lua" "http://127.0.0.1:$port" >/dev/null
    out="$(BENCH_PREFIX="run" wrk -t 2 -c 16 -d "${DURATION}s" -s "$BENCH/concord-create.lua" "http://127.0.0.1:$port")"
    if grep -q "Non-2xx" <<<"$out"; then echo "$2: $(grep Non-2xx <<<"$out")" >&2; exit 1; fi
    kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
    awk '/Requests\/sec/ {print $2}' <<<"$out"
}

echo "== machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== old: $OLD"
echo "== new: $NEW"
old_rates=(); new_rates=()
for round in $(seq 1 "$ROUNDS"); do
    if (( round % 2 )); then
        o="$(rate "$OLD" old "$round")"; n="$(rate "$NEW" new "$round")"
    else
        n="$(rate "$NEW" new "$round")"; o="$(rate "$OLD" old "$round")"
    fi
    old_rates+=("$o"); new_rates+=("$n")
    echo "round $round: old $o creates/s, new $n creates/s (load $(cut -d' ' -f1 /proc/loadavg))"
done
python3 - "${old_rates[*]}" "${new_rates[*]}" <<'PY'
import statistics, sys
old, new = [list(map(float, a.split())) for a in sys.argv[1:3]]
mo, mn = statistics.median(old), statistics.median(new)
print("median: old %.0f creates/s, new %.0f creates/s; new/old %.2f" % (mo, mn, mn / mo))
PY
