#!/usr/bin/env bash
# ReplicationRule figures side by side in one run, release build, on `concord up` (a hub, the primary
# us-east and three targets: us-west, eu-central, ap-south, all on loopback with TLS):
#   1. the core planner: OBJECTS×TARGETS in sync (10,000×3 and 100,000×10);
#   2. the source's direct write rate (8 writers updating 1 KiB ConfigMaps no rule selects);
#   3. the same writers flat out on ConfigMaps a rule replicates to the 3 targets: the source rate and
#      the rate carried to every target;
#   4. lag p50/p99/max at RATE writes/s (default 1,000) for DURATION seconds (default 10): write sent at the source → the
#      first watch event in the target holding that write or a later one;
#   5. the time to copy BULK (10,000) objects to a new target, then the controller's RSS once they
#      are replicated to all three targets, and again 35 s later (after a heap trim), beside its RSS
#      before any rule;
#   6. writes at 200/s for DURATION seconds with those BULK objects still selected: lag, where the
#      CPU went (a pass reads only what changed, so the selection's size should not cost CPU), and
#      the rule's passes and status writes to the hub (progress alone is written at most every 5 s);
#   7. a target frozen with SIGSTOP for FREEZE (30) s during writes at 200/s: the other targets' lag,
#      and how long after SIGCONT the frozen one caught up.
# Phases 2, 3 and 6 also report where the CPU went (in cores: the source member, the three targets, the
# controller, the hub, and everything else, mostly the Python writers) and the CPU spent per source
# write, since every process of the federation shares this machine's cores.
#
#   hack/bench/replication.sh
#   CONCORD_BIN=path/to/concord RATE=500 DURATION=5 hack/bench/replication.sh
#   PLANNER=0 BULK=1000 FREEZE=10 hack/bench/replication.sh   # skip the planner, smaller runs
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BENCH="$ROOT/hack/bench"
RATE="${RATE:-1000}"
SECONDS_RUN="${DURATION:-10}"  # not $SECONDS: bash counts the seconds since the shell started in it
BULK="${BULK:-10000}"
OBJECTS="${OBJECTS:-200}"

for tool in kubectl python3; do
    command -v "$tool" >/dev/null 2>&1 || { echo "replication bench: $tool is required" >&2; exit 1; }
done
if [[ -z "${CONCORD_BIN:-}" ]]; then
    echo "== building concord (release)"
    scratch="${SCRATCH:-$ROOT/.build-release}"
    (cd "$ROOT" && swift build -c release --product concord --scratch-path "$scratch" >/dev/null)
    CONCORD_BIN="$(cd "$ROOT" && swift build -c release --scratch-path "$scratch" --show-bin-path)/concord"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/concord-replication-bench.XXXXXX")"
UP_PID=""
cleanup() {
    [[ -n "$UP_PID" ]] && kill -INT "$UP_PID" 2>/dev/null && wait "$UP_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
py() { python3 "$BENCH/replication.py" "$@"; }

if [[ "${PLANNER:-1}" == 1 ]]; then
    echo "== core planner (pure function, in sync)"
    "$CONCORD_BIN" plan-bench --objects 10000 --targets 3 --runs 5
    "$CONCORD_BIN" plan-bench --objects 100000 --targets 10 --runs 3
fi

echo "== concord up --datacenters 4"
"$CONCORD_BIN" up --datacenters 4 --data-dir "$WORK/up" >"$WORK/up.log" 2>&1 &
UP_PID=$!
for _ in $(seq 1 240); do [[ -f "$WORK/up/up.json" ]] && break; sleep 0.5; done
[[ -f "$WORK/up/up.json" ]] || { echo "concord up did not write up.json; its output:" >&2; cat "$WORK/up.log" >&2; exit 1; }
field() { python3 -c "import json,sys; u=json.load(open('$WORK/up/up.json')); print(eval(sys.argv[1]))" "$1"; }
HUB="$(field "u['hub']['kubeconfig']")"
CONTROLLER_PID="$(field "u['controller']['pid']")"
kc() { field "[d['kubeconfig'] for d in u['datacenters'] if d['name']=='$1'][0]"; }
SOURCE="$(kc us-east)"
TARGETS=("$(kc us-west)" "$(kc eu-central)" "$(kc ap-south)")
hub() { kubectl --kubeconfig "$HUB" "$@"; }
primary=""
for _ in $(seq 1 120); do
    primary="$(hub get fp global -o jsonpath='{.status.primary}' 2>/dev/null || true)"
    [[ -n "$primary" ]] && break
    sleep 0.5
done
[[ "$primary" == "us-east" ]] || { echo "expected us-east as the primary, found '$primary'" >&2; exit 1; }
echo "controller before any rule: $(py rss "$CONTROLLER_PID")"

hub create namespace bench >/dev/null
py populate "$SOURCE" bench direct "$OBJECTS" scope=none >/dev/null
py populate "$SOURCE" bench lag "$OBJECTS" scope=lag >/dev/null
hub apply -f - >/dev/null <<EOF
apiVersion: federation.concord.dev/v1alpha1
kind: ReplicationRule
metadata: {name: lag, namespace: bench}
spec:
  resources: [{apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {scope: lag}}}]
EOF
for t in "${TARGETS[@]}"; do py wait-count "$t" bench scope=lag "$OBJECTS" 120 >/dev/null; done

# rule_counter NAME RULE: the controller's counter NAME summed over the series of RULE (namespace/name).
CONTROLLER_METRICS="$(field "u['controller']['metrics']")"
rule_counter() {
    python3 - "http://$CONTROLLER_METRICS/metrics" "$1" "$2" <<'PY'
import sys, urllib.request
url, name, rule = sys.argv[1:4]
total = None
for line in urllib.request.urlopen(url, timeout=10).read().decode().splitlines():
    if line.startswith(name + "{") and ('rule="%s"' % rule) in line:
        total = (total or 0) + float(line.rsplit(" ", 1)[1])
print("-" if total is None else int(total))
PY
}
# counted BEFORE AFTER WHAT: "N WHAT", or that the build does not count WHAT.
counted() { if [[ "$1" == - || "$2" == - ]]; then echo "(no count of $3 in this build)"; else echo "$(( $2 - $1 )) $3"; fi; }

# CPU accounting: jiffies of the machine and of each process of the federation, before and after a phase.
pid_of() { field "[d['pid'] for d in u['datacenters'] if d['name']=='$1'][0]"; }
SOURCE_PID="$(pid_of us-east)"
TARGET_PIDS="$(pid_of us-west) $(pid_of eu-central) $(pid_of ap-south)"
HUB_PID="$(field "u['hub']['pid']")"
jiffies() { local sum=0 p; for p in "$@"; do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$sum"; }
cpu_mark() { echo "$(date +%s.%N) $(awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat) $(jiffies "$SOURCE_PID") $(jiffies $TARGET_PIDS) $(jiffies "$CONTROLLER_PID") $(jiffies "$HUB_PID")"; }
# cpu_report BEFORE AFTER WRITES: cores used by each part over the phase, and CPU milliseconds per source write.
cpu_report() {
    python3 - "$1" "$2" "$3" "$(getconf CLK_TCK)" "$(nproc)" <<'PY'
import sys
before, after = [list(map(float, a.split())) for a in sys.argv[1:3]]
writes, tick, cores = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
elapsed = after[0] - before[0]
d = [(a - b) / tick for a, b in zip(after[1:], before[1:])]
machine, parts = d[0], dict(zip(["source", "targets", "controller", "hub"], d[1:]))
other = machine - sum(parts.values())
print("CPU in cores (of %d): machine %.2f = source %.2f + targets %.2f + controller %.2f + hub %.2f + other (writers) %.2f" % (
    cores, machine / elapsed, parts["source"] / elapsed, parts["targets"] / elapsed, parts["controller"] / elapsed, parts["hub"] / elapsed, other / elapsed))
if writes > 0:
    print("CPU per source write: %.2f ms in all, %.2f ms in the federation's processes" % (1000 * machine / writes, 1000 * (machine - other) / writes))
PY
}

echo "== direct write rate at the source (no rule selects these objects), ${SECONDS_RUN} s"
before="$(cpu_mark)"
read -r direct direct_writes < <(py direct "$SOURCE" bench direct "$OBJECTS" "$SECONDS_RUN")
after="$(cpu_mark)"
echo "direct: $direct writes/s"
cpu_report "$before" "$after" "$direct_writes"

echo "== flat out on replicated objects, ${SECONDS_RUN} s, 3 targets"
before="$(cpu_mark)"
py lag "$SOURCE" bench lag "$OBJECTS" 0 "$SECONDS_RUN" "${TARGETS[@]}" | tee "$WORK/flat.txt"
after="$(cpu_mark)"
carried="$(sed -n 's/.*carried to all 3 targets: \([0-9]*\) writes.*/\1/p' "$WORK/flat.txt")"
python3 -c "print('carried / direct: %.0f %%' % (100.0 * $carried / $direct))"
cpu_report "$before" "$after" "$(sed -n 's/^source writes \([0-9]*\) in.*/\1/p' "$WORK/flat.txt")"

echo "== lag at $RATE writes/s, ${SECONDS_RUN} s, 3 targets"
py lag "$SOURCE" bench lag "$OBJECTS" "$RATE" "$SECONDS_RUN" "${TARGETS[@]}"

echo "== copying $BULK objects to a new target"
py populate "$SOURCE" bench bulk "$BULK" scope=bulk >/dev/null
hub apply -f - >/dev/null <<EOF
apiVersion: federation.concord.dev/v1alpha1
kind: ReplicationRule
metadata: {name: bulk, namespace: bench}
spec:
  targets: {datacenterSelector: {matchLabels: {bench-bulk: "yes"}}}
  resources: [{apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {scope: bulk}}}]
EOF
hub label dc us-west bench-bulk=yes >/dev/null
echo "to us-west: $(py wait-count "${TARGETS[0]}" bench scope=bulk "$BULK" 600) s"
hub label dc eu-central ap-south bench-bulk=yes >/dev/null
for t in "${TARGETS[@]:1}"; do py wait-count "$t" bench scope=bulk "$BULK" 600 >/dev/null; done
echo "controller with $((BULK + OBJECTS)) objects replicated to 3 targets: $(py rss "$CONTROLLER_PID")"
sleep 35
echo "the same 35 s later (freed memory is handed back every 30 s): $(py rss "$CONTROLLER_PID")"

echo "== writes at 200/s for $SECONDS_RUN s with $((BULK + OBJECTS)) objects selected, 3 targets"
before="$(cpu_mark)"
passes_before="$(rule_counter concord_replication_passes_total bench/lag)"
writes_before="$(rule_counter concord_replication_status_writes_total bench/lag)"
# Every status write is an update of the rule a watch sees (whichever build runs).
hub get rr lag -n bench --watch-only -o name >"$WORK/rule-updates.txt" 2>/dev/null &
RULE_WATCH=$!
py lag "$SOURCE" bench lag "$OBJECTS" 200 "$SECONDS_RUN" "${TARGETS[@]}" | tee "$WORK/steady.txt"
after="$(cpu_mark)"
kill "$RULE_WATCH" 2>/dev/null || true
wait "$RULE_WATCH" 2>/dev/null || true
cpu_report "$before" "$after" "$(sed -n 's/^source writes \([0-9]*\) in.*/\1/p' "$WORK/steady.txt")"
echo "rule bench/lag: $(counted "$passes_before" "$(rule_counter concord_replication_passes_total bench/lag)" passes), $(counted "$writes_before" "$(rule_counter concord_replication_status_writes_total bench/lag)" "status writes to the hub"), $(wc -l <"$WORK/rule-updates.txt") updates of the rule seen by a watch"

echo "== ap-south frozen (SIGSTOP) for ${FREEZE:-30} s during writes at 200/s"
FROZEN_PID="$(field "[d['pid'] for d in u['datacenters'] if d['name']=='ap-south'][0]")"
py lag "$SOURCE" bench lag "$OBJECTS" 200 "$(( ${FREEZE:-30} + 10 ))" "${TARGETS[@]}" --freeze "$FROZEN_PID" 5 "${FREEZE:-30}" "${TARGETS[2]}"
