#!/usr/bin/env bash
# Times Concord's pure replication planner (FederationCore.planReplication): OBJECTS source objects
# compared against TARGETS targets that are all in sync (the steady state every pass starts from).
#
#   hack/bench/replication-plan.sh                       # release build, 100,000 objects × 10 targets
#   OBJECTS=10000 TARGETS=3 hack/bench/replication-plan.sh
#   CONCORD_BIN=path/to/concord hack/bench/replication-plan.sh
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
if [[ -z "${CONCORD_BIN:-}" ]]; then
    swift build -c release --product concord >&2
    CONCORD_BIN="$(swift build -c release --show-bin-path)/concord"
fi
"$CONCORD_BIN" plan-bench --objects "${OBJECTS:-100000}" --targets "${TARGETS:-10}" --runs "${RUNS:-5}"
