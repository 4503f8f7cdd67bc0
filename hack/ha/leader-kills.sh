#!/usr/bin/env bash
# Jepsen-style leader loss for Concord on etcd: two control planes on a 3-member loopback etcd take
# writes while the etcd leader is killed with SIGKILL KILLS times (default 20). Prints the counts
# (writes invoked, ok, failed, unknown); the test fails if any acknowledged write is lost, or the watch
# has a gap, a duplicate or an event out of order.
#   hack/ha/leader-kills.sh [KILLS]
set -euo pipefail
cd "$(dirname "$0")/../.."
source hack/setup.sh
kills="${1:-20}"
log="$(mktemp)"
status=0
CONCORD_HA_LEADER_KILLS="$kills" swift test --filter EtcdLeaderLossTests >"$log" 2>&1 || status=$?
grep -E "concord leader-loss|Expectation failed|passed after|failed after" "$log" || tail -40 "$log"
rm -f "$log"
exit "$status"
