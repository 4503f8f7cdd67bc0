#!/usr/bin/env bash
# Builds Concord and starts a local federation: a hub and N member control planes plus the controller.
#   hack/up.sh                      # 3 datacenters in .concord/
#   hack/up.sh --datacenters 5      # any `concord up` flags pass through
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/setup.sh
swift build --product concord >&2
exec .build/debug/concord up --data-dir .concord "$@"
