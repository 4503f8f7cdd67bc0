#!/usr/bin/env bash
# A local federation of N members from a release build, measured.
#
#   hack/bench/scale.sh 100                          # builds concord (release, as the image does) and measures 100 members
#   CONCORD_BIN=path/to/concord hack/bench/scale.sh 50
#   IDLE_SECONDS=60 hack/bench/scale.sh 100
#
# Starts `concord up --datacenters N` on a temporary data dir and reports: the time until every
# Datacenter is Ready, memory (RSS, PSS) and threads per member control plane, the idle CPU of the
# hub, the controller and the members over IDLE_SECONDS, and how long a `kill -9` of one member takes
# to show as Unreachable in a running `kubectl get dc -w` (the contract: period × failureThreshold +
# one period, 4 s at the defaults). It ends with Ctrl-C (SIGINT) to concord up and reports how long
# everything took to stop; whatever is left after that is killed.
set -euo pipefail

N="${1:?usage: hack/bench/scale.sh N}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH="$ROOT/hack/bench"
IDLE_SECONDS="${IDLE_SECONDS:-30}"
command -v kubectl >/dev/null || { echo "kubectl is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }

if [[ -z "${CONCORD_BIN:-}" ]]; then
    # Built as the container image builds it (Containerfile): the Swift runtime and Foundation linked in.
    echo "== building concord (release, --static-swift-stdlib)"
    (cd "$ROOT" && swift build -c release --product concord --static-swift-stdlib ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"} >/dev/null)
    CONCORD_BIN="$(cd "$ROOT" && swift build -c release --static-swift-stdlib ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"} --show-bin-path)/concord"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/concord-scale.XXXXXX")"
UP_PID=""
cleanup() {
    if [[ -n "$UP_PID" ]] && kill -0 "$UP_PID" 2>/dev/null; then kill -INT "$UP_PID" 2>/dev/null || true; sleep 3; fi
    # Anything still alive (concord up's children stop with it, even on kill -9): kill it by pid.
    if [[ -f "$WORK/up.json" ]]; then
        python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); print(" ".join(str(p) for p in [l["hub"].get("pid"), (l.get("controller") or {}).get("pid")] + [m.get("pid") for m in l["datacenters"]] if p))' "$WORK/up.json" \
            | xargs -r kill -9 2>/dev/null || true
    fi
    [[ -n "$UP_PID" ]] && kill -9 "$UP_PID" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== machine: $(nproc) cores, $(free -m | awk '/Mem:/{print $2}') MiB; load before: $(cut -d' ' -f1-3 /proc/loadavg); binary $CONCORD_BIN"
STARTED="$(date +%s.%N)"
"$CONCORD_BIN" up --datacenters "$N" --data-dir "$WORK" >"$WORK/up.log" 2>&1 &
UP_PID=$!
python3 "$BENCH/scale.py" measure "$WORK" "$N" "$UP_PID" "$STARTED" "$IDLE_SECONDS"
python3 "$BENCH/scale.py" stop "$UP_PID" "$WORK"
wait "$UP_PID" 2>/dev/null || true
UP_PID=""
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
