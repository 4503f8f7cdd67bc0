#!/usr/bin/env bash
# Jepsen-style partitions for Concord on etcd: 3 etcd members, each in its own network namespace on one
# bridge; each round takes one member's link down (the leader and a follower in turn) while a Concord
# server beside it, alone with it, takes writes (the minority must acknowledge none), a Concord server on
# all members takes writes throughout (the majority carries on), and after the heal the member must
# catch up. Prints a Jepsen-shaped result; exits 1 when a check fails. Needs root (ip netns).
#   hack/ha/partitions.sh [ROUNDS]           (default 5; PARTITION_SECONDS=15 per partition)
#   CONCORD_BIN=path/to/concord hack/ha/partitions.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source hack/setup.sh
[ "$(id -u)" -eq 0 ] || { echo "partitions: needs root for network namespaces (run with sudo)" >&2; exit 1; }
if [[ -z "${CONCORD_BIN:-}" ]]; then
    swift build --product concord >/dev/null
    export CONCORD_BIN="$(swift build --show-bin-path)/concord"
fi
exec python3 hack/ha/partitions.py "${1:-5}"
