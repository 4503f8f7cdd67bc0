#!/usr/bin/env bash
# Updates Sources/concord/member.order, the order in which a release link lays out concord's code
# (Package.swift passes it to the linker): what a member control plane runs comes first and
# together, so an idle member maps a few runs of code pages instead of pages spread over the whole
# binary (the kernel maps up to 64 KiB around each page a process touches).
#
#   hack/bench/member-order.sh                     # ROUNDS (8) rounds of: link with a map, trace, update
#   FRESH=1 hack/bench/member-order.sh             # forget the names earlier runs found first
#   CONCORD_BIN=path/to/concord [LINK_MAP=lld-map] hack/bench/member-order.sh   # one round, that binary
#
# A round starts `concord up --datacenters 2` with hack/bench/pagetrace.c preloaded, which records
# where each concord process first runs each code page, lets it settle for IDLE_SECONDS, stops it,
# and adds what ran to the order (hack/bench/member-order.py). Each round links with the order so
# far, so it sees code the earlier layouts hid behind pages already run. Afterwards rebuild (touch
# Sources/concord/main.swift: the order file is not a tracked build input). A stale order costs
# only memory: code it does not name keeps its place.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ORDER="$ROOT/Sources/concord/member.order"
IDLE_SECONDS="${IDLE_SECONDS:-15}"
ROUNDS="${ROUNDS:-8}"
command -v cc >/dev/null || { echo "a C compiler (cc) is required" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/concord-order.XXXXXX")"
UP_PID=""
cleanup() {
    if [[ -n "$UP_PID" ]]; then kill -INT "$UP_PID" 2>/dev/null || true; wait "$UP_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
cc -shared -fPIC -O2 -o "$WORK/pagetrace.so" "$ROOT/hack/bench/pagetrace.c" -ldl
[[ "${FRESH:-0}" == 1 ]] && : >"$ORDER"

trace_round() {  # BINARY [MAP]
    rm -rf "$WORK/traces" "$WORK/up" && mkdir "$WORK/traces"
    SWIFT_BACKTRACE=enable=no PAGETRACE_DIR="$WORK/traces" LD_PRELOAD="$WORK/pagetrace.so" \
        "$1" up --datacenters 2 --data-dir "$WORK/up" >"$WORK/up.log" 2>&1 &
    UP_PID=$!
    for _ in $(seq 600); do [[ -f "$WORK/up/up.json" ]] && break; kill -0 "$UP_PID" 2>/dev/null || break; sleep 0.1; done
    [[ -f "$WORK/up/up.json" ]] || { echo "concord up did not come up:" >&2; tail -20 "$WORK/up.log" >&2; exit 1; }
    sleep "$IDLE_SECONDS"
    kill -INT "$UP_PID"; wait "$UP_PID" 2>/dev/null || true; UP_PID=""
    python3 "$ROOT/hack/bench/member-order.py" "$1" "$WORK/traces" "$WORK/up/up.json" "$ORDER" ${2:+"$2"}
}

if [[ -n "${CONCORD_BIN:-}" ]]; then
    trace_round "$CONCORD_BIN" "${LINK_MAP:-}"
    exit 0
fi
# Linked as the container image is (Containerfile), with a map: it tells which input section
# holds each address, so the order names one symbol per section.
build=(swift build -c release --static-swift-stdlib ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"})
BIN="$(cd "$ROOT" && "${build[@]}" --show-bin-path)/concord"
for round in $(seq "$ROUNDS"); do
    touch "$ROOT/Sources/concord/main.swift"
    (cd "$ROOT" && "${build[@]}" --product concord -Xlinker -Map="$WORK/concord.map" -Xlinker --no-demangle) >"$WORK/build.log" 2>&1 \
        || { tail -30 "$WORK/build.log" >&2; exit 1; }
    echo -n "round $round: "
    trace_round "$BIN" "$WORK/concord.map"
done
touch "$ROOT/Sources/concord/main.swift"
