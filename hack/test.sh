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
# A crash exits at once instead of waiting on the backtracer (which can hang suspending threads).
export SWIFT_BACKTRACE=enable=no
# swift-nio's NIOAsyncChannel can trap ("Deinited NIOAsyncWriter without calling finish()") when a test
# server is shut down while a connection is being accepted, a race inside the library. A phase that
# dies of exactly that trap is run once more, saying so; any other failure fails the run.
run_phase() {
  local log
  log="$(mktemp)"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ] && grep -q "Deinited NIOAsyncWriter without calling finish()" "$log"; then
    echo "concord tests: the phase (${*:2}) died of swift-nio's NIOAsyncWriter trap during a server shutdown; running it once more" >&2
    "$@"
    rc=$?
  fi
  rm -f "$log"
  return "$rc"
}
# The end-to-end tests each start a federation of four to six processes. All at once on two cores
# leave a process seconds behind its peers (a `concord up` missed its 63 s Ready deadline that way),
# and even six at a time starve the fuzz test's controller so that new ReplicationRules wait past its
# 10 s bound for their status; three at a time give each federation the machine it expects. The
# test binary is run directly because only it takes swift-testing's parallelization width.
E2E_WIDTH="${CONCORD_E2E_WIDTH:-3}"
TEST_BINARY="$(swift build --show-bin-path)/ConcordPackageTests.xctest"
# The in-process tests run one test target at a time: all of them at once in one process keep
# hundreds of servers, clients and SQLite files open together, and on two cores that run has stalled.
status=0
# Every test is a swift-testing test: the binary is run directly (`swift test` would also start an
# empty XCTest pass and plan a build, about 6 s per phase).
for target in FederationAPITests FederationCoreTests KubeClientTests ControllerRuntimeTests ConcordCLITests FederationControllersTests; do
  run_phase "$TEST_BINARY" --testing-library swift-testing --filter "^$target\\." --skip SimulationTests || status=$?
done
# The control-plane tests run on both storage backends, each etcd case against a real etcd process. Every
# test of the target at once (swift-testing's default) starved the time-bounded garbage-collection and watch
# tests on two cores; six at a time take no longer in all and keep each within its deadline.
CP_WIDTH="${CONCORD_CONTROL_PLANE_WIDTH:-6}"
run_phase "$TEST_BINARY" --testing-library swift-testing --experimental-maximum-parallelization-width "$CP_WIDTH" --filter "^ControlPlaneTests\\." --skip SimulationTests || status=$?
run_phase "$TEST_BINARY" --testing-library swift-testing --filter SimulationTests || status=$?
run_phase "$TEST_BINARY" --testing-library swift-testing --experimental-maximum-parallelization-width "$E2E_WIDTH" --filter EndToEndTests || status=$?
exit $status
