#!/usr/bin/env bash
# Times Concord's pure replication planner (FederationCore.planReplication): OBJECTS source objects
# compared against TARGETS targets that are all in sync (the steady state every pass starts from),
# once with every replica read and judged (as a rule's first pass: compared with its source, hashed
# when it differs), once as the controller plans (hashes remembered by uid and
# resourceVersion, replicas found in sync remembered by value, so each is compared with the value
# found in sync before). Prints the best and the median of RUNS passes, release build
# (replication-plan-bench: Foundation only), then digests of the steady plan and of a plan with every
# kind of difference planted, which stay the same as long as the planner decides the same. Then
# passes fed the changes since the previous one, as the controller plans after a rule's first pass:
# with nothing changed, and with WRITTEN (1,000) source objects written before each pass, which also
# reads back the previous pass's replica writes.
#
#   hack/bench/replication-plan.sh                       # 10,000 × 3, then 100,000 objects × 10 targets
#   OBJECTS=10000 TARGETS=3 WRITTEN=100 hack/bench/replication-plan.sh
#   REPLICATION_PLAN_BENCH_BIN=path/to/replication-plan-bench hack/bench/replication-plan.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
if [[ -z "${REPLICATION_PLAN_BENCH_BIN:-}" ]]; then
    swift build -c release --product replication-plan-bench >&2
    REPLICATION_PLAN_BENCH_BIN="$(swift build -c release --show-bin-path)/replication-plan-bench"
fi
args=(--runs "${RUNS:-5}" --written "${WRITTEN:-1000}")
if [[ -n "${OBJECTS:-}${TARGETS:-}" ]]; then
    args+=(--objects "${OBJECTS:-100000}" --targets "${TARGETS:-10}")
fi
"$REPLICATION_PLAN_BENCH_BIN" "${args[@]}"
