#!/usr/bin/env bash
# Runs Concord's whole test suite: unit tables, control-plane tests over real HTTP, and
# end-to-end tests that start `concord` processes and drive them with the real kubectl.
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/setup.sh
command -v kubectl >/dev/null 2>&1 || { echo "concord tests: kubectl is required on PATH for the end-to-end tests" >&2; exit 1; }
swift build --build-tests
swift test "$@"
