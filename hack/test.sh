#!/usr/bin/env bash
# Runs Concord's whole test suite: unit tables, control-plane tests over real HTTP, and
# end-to-end tests that start `concord` processes and drive them with the real kubectl.
set -euo pipefail
cd "$(dirname "$0")/.."
source hack/setup.sh
command -v kubectl >/dev/null 2>&1 || { echo "concord tests: kubectl is required on PATH for the end-to-end tests" >&2; exit 1; }
swift build --build-tests
if [ $# -gt 0 ]; then
  exec swift test --skip-build "$@"
fi
# Two phases: the in-process tests, then the end-to-end tests that start concord, etcd and Prometheus
# processes. Run together on two cores, the processes starve the in-process tests' watches past their
# deadlines; apart, each phase has the machine to itself. Both always run; either failing fails the run.
status=0
swift test --skip-build --skip EndToEndTests || status=$?
swift test --skip-build --filter EndToEndTests || status=$?
exit $status
