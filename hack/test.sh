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
# Three phases: the in-process tests, the simulations, then the end-to-end tests that start concord, etcd and Prometheus
# processes. Run together on two cores, the processes starve the in-process tests' watches past their
# deadlines; apart, each phase has the machine to itself. All always run; any failing fails the run.
# The seeded simulations keep both cores busy for a minute; they run apart too, so the in-process
# tests that wait on real time are not starved.
status=0
swift test --skip-build --skip EndToEndTests --skip SimulationTests || status=$?
swift test --skip-build --filter SimulationTests || status=$?
swift test --skip-build --filter EndToEndTests || status=$?
exit $status
