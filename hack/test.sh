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
# The phases: the in-process tests, the control-plane tests, then the end-to-end tests that start concord,
# etcd and Prometheus processes. Run together on two cores, the processes starve the in-process tests'
# watches past their deadlines; apart, each phase has the machine to itself. The core's seeded
# simulations (a minute of both cores) run beside them on the CPU they leave idle. All always run; any
# failing fails the run.
# A crash exits at once instead of waiting on the backtracer (which can hang suspending threads).
export SWIFT_BACKTRACE=enable=no
# swift-nio's NIOAsyncChannel can trap ("Deinited NIOAsyncWriter without calling finish()") when a test
# server is shut down while a connection is being accepted, a race inside the library. A phase that
# dies of exactly that trap is run once more, saying so; any other failure fails the run.
# A phase that has not ended after CONCORD_PHASE_TIMEOUT seconds (900) is stopped and fails the run:
# a deadlock fails it with a message instead of hanging the run.
PHASE_TIMEOUT="${CONCORD_PHASE_TIMEOUT:-900}"
run_phase() {
  local log
  log="$(mktemp)"
  timeout --foreground --kill-after=10 "$PHASE_TIMEOUT" "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "concord tests: the phase (${*:2}) did not end within $PHASE_TIMEOUT s and was stopped (CONCORD_PHASE_TIMEOUT)" >&2
  fi
  if [ "$rc" -ne 0 ] && grep -q "Deinited NIOAsyncWriter without calling finish()" "$log"; then
    echo "concord tests: the phase (${*:2}) died of swift-nio's NIOAsyncWriter trap during a server shutdown; running it once more" >&2
    timeout --foreground --kill-after=10 "$PHASE_TIMEOUT" "$@"
    rc=$?
  fi
  rm -f "$log"
  return "$rc"
}
# The end-to-end tests each start a federation of four to six processes. All at once on two cores
# leave a process seconds behind its peers (a `concord up` missed its 63 s Ready deadline that way),
# and even six at a time starve the fuzz test's controller so that new ReplicationRules wait past its
# 10 s bound for their status. Three at a time give each federation the machine it expects: one at a
# time, the 51 tests take 12.5 min and keep a quarter of the two cores busy (they mostly wait on
# probes, leases and timeouts); three at a time took 278 s, four 255-261 s, but at four the
# active-active test's move after a kill -9 took 10.6 s in a CI run, over its 10 s bound. The test
# binary is run directly because only it takes swift-testing's parallelization width.
E2E_WIDTH="${CONCORD_E2E_WIDTH:-3}"
TEST_BINARY="$(swift build --show-bin-path)/ConcordPackageTests.xctest"
# The in-process tests run one test target at a time: all of them at once in one process keep
# hundreds of servers, clients and SQLite files open together, and on two cores that run has stalled.
status=0
# The seeded simulations of the core are pure computation on virtual time, with no deadline: they run
# beside every other phase under SCHED_IDLE (`chrt --idle 0`), so they use only the CPU the tests that
# wait on real time leave idle, and a waking test thread takes the CPU from them at once (at nice 19
# they still delayed each wakeup by a time slice: the control-plane phase took 50 s longer). Their
# output is printed, and their result counted, once the other phases are done. Having only idle CPU,
# they are given twice a phase's time limit.
SIM_LOG="$(mktemp)"
timeout --foreground --kill-after=10 "$((PHASE_TIMEOUT * 2))" chrt --idle 0 "$TEST_BINARY" --testing-library swift-testing --filter "^FederationCoreTests\\.[A-Za-z]*SimulationTests" >"$SIM_LOG" 2>&1 &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null || true; rm -f "$SIM_LOG"' EXIT
# Every test is a swift-testing test: the binary is run directly (`swift test` would also start an
# empty XCTest pass and plan a build, about 6 s per phase).
for target in FederationAPITests FederationCoreTests KubeClientTests ControllerRuntimeTests ConcordCLITests FederationControllersTests; do
  run_phase "$TEST_BINARY" --testing-library swift-testing --filter "^$target\\." --skip "^FederationCoreTests\\.[A-Za-z]*SimulationTests" || status=$?
done
# The control-plane tests run on both storage backends, each etcd case against a real etcd process. Every
# test of the target at once (swift-testing's default) starved the time-bounded garbage-collection and watch
# tests on two cores; six at a time take no longer in all and keep each within its deadline.
CP_WIDTH="${CONCORD_CONTROL_PLANE_WIDTH:-6}"
run_phase "$TEST_BINARY" --testing-library swift-testing --experimental-maximum-parallelization-width "$CP_WIDTH" --filter "^ControlPlaneTests\\." || status=$?
run_phase "$TEST_BINARY" --testing-library swift-testing --experimental-maximum-parallelization-width "$E2E_WIDTH" --filter EndToEndTests || status=$?
sim_status=0
wait "$SIM_PID" || sim_status=$?
echo "concord tests: the core simulations (run beside the other phases under SCHED_IDLE):"
cat "$SIM_LOG"
if [ "$sim_status" -eq 124 ] || [ "$sim_status" -eq 137 ]; then
  echo "concord tests: the core simulations did not end within $((PHASE_TIMEOUT * 2)) s and were stopped (CONCORD_PHASE_TIMEOUT)" >&2
fi
[ "$sim_status" -eq 0 ] || status=$sim_status
exit $status
