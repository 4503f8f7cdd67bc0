#!/usr/bin/env bash
# Times Concord's ActiveActive placement in the core (FederationCore, no I/O) for SERVICES
# ActiveActive services over DATACENTERS datacenters, each service selecting SELECTED of them (all
# by default), release build: the division alone (ReplicaDivision.divide), a full planning pass
# (planActiveActive, which divides too) for each service's first placement and for the steady pass
# after it (total and per-service p50, p99, max), and a resync (every steady input built first,
# then all planned back to back, best and median of 5 rounds). Prints a digest of every division
# and plan: a faster build must print the same digest for the same seed.
#
#   hack/bench/placement.sh                               # 10,000 services × 1,000 datacenters
#   SERVICES=1000 DATACENTERS=100 SELECTED=10 hack/bench/placement.sh
#   PLACEMENT_BENCH_BIN=path/to/placement-bench hack/bench/placement.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
if [[ -z "${PLACEMENT_BENCH_BIN:-}" ]]; then
    swift build -c release --product placement-bench >&2
    PLACEMENT_BENCH_BIN="$(swift build -c release --show-bin-path)/placement-bench"
fi
args=(--services "${SERVICES:-10000}" --datacenters "${DATACENTERS:-1000}" --seed "${SEED:-1}")
[[ -n "${SELECTED:-}" ]] && args+=(--selected "$SELECTED")
"$PLACEMENT_BENCH_BIN" "${args[@]}"
