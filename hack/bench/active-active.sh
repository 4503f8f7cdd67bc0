#!/usr/bin/env bash
# ActiveActive timing on `concord up --datacenters 5`, from a release build, over RUNS kills.
#
#   hack/bench/active-active.sh                 # builds concord (release), 3 runs, a 15 s window
#   RUNS=5 WINDOW=30 CONCORD_BIN=path/to/concord hack/bench/active-active.sh
#
# Labels us-east, us-west and eu-central `tier=web`, deploys web (Deployment and Service) in us-east
# and places 12 replicas ActiveActive by that label at weights 2:1:1 (6/3/3), default health
# settings (probes every 1 s, unhealthyForSeconds 5), `failback: Automatic` with
# `stabilizationSeconds: WINDOW`. Each run `kill -9`s us-east's control plane and measures the time
# until us-west and eu-central each run 6 ready and both route `web-global` to them alone (kubectl
# every poll, so figures are accurate to about 0.2 s), and the lowest ready total there meanwhile;
# then it restarts us-east on its data dir and measures, from us-east Ready at the hub, when its
# share is placed again and when 6/3/3 is ready and routed (the window counts from the Ready
# condition's lastTransitionTime, whole seconds, so the share can come up to a second before WINDOW
# by this clock; the run also prints the Rebalance's start against that transition, from status).
# It prints each run and min / median / max.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
command -v kubectl >/dev/null || { echo "kubectl is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
if [[ -z "${CONCORD_BIN:-}" ]]; then
    echo "== building concord (release)"
    (cd "$ROOT" && swift build -c release --product concord ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"} >/dev/null)
    CONCORD_BIN="$(cd "$ROOT" && swift build -c release ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"} --show-bin-path)/concord"
fi
exec python3 "$ROOT/hack/bench/active-active.py" "$CONCORD_BIN" "${RUNS:-3}" "${WINDOW:-15}"
