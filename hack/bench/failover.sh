#!/usr/bin/env bash
# ServiceFailover timing on a local federation, from a release build, over RUNS kills.
#
#   hack/bench/failover.sh                 # builds concord (release), 5 runs
#   RUNS=10 CONCORD_BIN=path/to/concord hack/bench/failover.sh
#
# Starts `concord up` (three members that simulate workloads: a rollout takes 2 s), deploys
# payment-api (Deployment, 3 replicas, and Service) in us-east and protects it with a ServiceFailover
# at default settings (failover: us-west with 2 replicas, then eu-central). Each run `kill -9`s the
# active datacenter's control plane and measures the time until `payment-api-global` in both other
# members holds us-west's ready endpoints (read with kubectl every 50 ms, so the figure is accurate
# to about 0.2 s); then it restarts the killed member on its data dir, waits until the controller has
# scaled it to 0, runs `concord service failback`, and waits until traffic is back in us-east.
# It prints each run and min / median / max.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUNS="${RUNS:-5}"
command -v kubectl >/dev/null || { echo "kubectl is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
if [[ -z "${CONCORD_BIN:-}" ]]; then
    echo "== building concord (release)"
    (cd "$ROOT" && swift build -c release --product concord ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"} >/dev/null)
    CONCORD_BIN="$(cd "$ROOT" && swift build -c release ${SCRATCH_PATH:+--scratch-path "$SCRATCH_PATH"} --show-bin-path)/concord"
fi
exec python3 "$ROOT/hack/bench/failover.py" "$CONCORD_BIN" "$RUNS"
