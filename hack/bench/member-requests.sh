#!/usr/bin/env bash
# Requests per minute that the controller sends to an idle member datacenter.
#
#   hack/bench/member-requests.sh                    # uses .build/debug/concord
#   CONCORD_BIN=path/to/concord WINDOW=60 hack/bench/member-requests.sh
#
# Starts a hub and two member control planes (`concord server`, the members at debug log level so
# every served request is logged), installs the CRDs, registers both members as Push Datacenters
# under one FederationPolicy, runs `concord controller`, waits until both are Ready and fenced at
# epoch 1, lets it settle, then counts the requests the first member served during WINDOW seconds,
# by method and path (long-running watches count once, when they are opened), and what the hub
# served meanwhile. Then deletes the
# fencing marker in the second member with kubectl and reports how long it took to be back at the
# current epoch.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${CONCORD_BIN:-$ROOT/.build/debug/concord}"
WINDOW="${WINDOW:-60}"
SETTLE="${SETTLE:-10}"
WORK="$(mktemp -d /tmp/concord-member-requests.XXXXXX)"
PIDS=()

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_server() { # name port level
    mkdir -p "$WORK/$1"
    "$BIN" server --data-dir "$WORK/$1" --port "$2" --log-level "$3" >"$WORK/$1.log" 2>&1 &
    PIDS+=($!)
}

wait_for() { # seconds description command...
    local deadline=$((SECONDS + $1)) what="$2"
    shift 2
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS > deadline)); then echo "timed out waiting for $what" >&2; exit 1; fi
        sleep 0.5
    done
}

start_server hub "$(free_port)" debug
start_server m1 "$(free_port)" debug
start_server m2 "$(free_port)" warning
for n in hub m1 m2; do wait_for 30 "$n kubeconfig" test -s "$WORK/$n/kubeconfig"; done
HUB=(kubectl --kubeconfig "$WORK/hub/kubeconfig")
wait_for 30 "the hub" "${HUB[@]}" get --raw /readyz

"$BIN" crds | "${HUB[@]}" apply -f - >/dev/null
"${HUB[@]}" create namespace concord-system >/dev/null 2>&1 || true
for n in m1 m2; do
    "${HUB[@]}" -n concord-system create secret generic "$n-kubeconfig" --from-file=kubeconfig="$WORK/$n/kubeconfig" >/dev/null
    "${HUB[@]}" apply -f - >/dev/null <<EOF
apiVersion: federation.concord.dev/v1alpha1
kind: Datacenter
metadata: {name: $n}
spec: {region: r-$n, credentialsRef: {namespace: concord-system, name: $n-kubeconfig}}
EOF
done
"${HUB[@]}" apply -f - >/dev/null <<EOF
apiVersion: federation.concord.dev/v1alpha1
kind: FederationPolicy
metadata: {name: global}
spec: {primary: m1}
EOF

"$BIN" controller --kubeconfig "$WORK/hub/kubeconfig" --metrics-bind-address 0 --health-probe-bind-address 0 --log-level warning >"$WORK/controller.log" 2>&1 &
PIDS+=($!)

fenced() {
    [[ "$("${HUB[@]}" get fp global -o jsonpath='{.status.epoch}')" == 1 ]] || return 1
    for n in m1 m2; do
        [[ "$("${HUB[@]}" get dc "$n" -o jsonpath='{.status.phase}')" == Ready ]] || return 1
        [[ "$(kubectl --kubeconfig "$WORK/$n/kubeconfig" -n concord-system get cm concord-federation -o jsonpath='{.data.epoch}')" == 1 ]] || return 1
    done
}
wait_for 60 "both members Ready and fenced at epoch 1" fenced
sleep "$SETTLE"

served() { grep -c 'Served request' "$WORK/m1.log" || true; }
start_line=$(wc -l <"$WORK/m1.log")
hub_start=$(wc -l <"$WORK/hub.log")
before=$(served)
sleep "$WINDOW"
after=$(served)
count=$((after - before))
echo "member m1 served $count requests in ${WINDOW}s: $((count * 60 / WINDOW)) per minute"
echo "by method and path:"
tail -n +"$((start_line + 1))" "$WORK/m1.log" | grep 'Served request' \
    | sed -E 's/.*method=([A-Z]+).*path=([^ ]+).*/\1 \2/' | sort | uniq -c | sort -rn
echo "the hub, in the same window (controller and kubectl):"
tail -n +"$((hub_start + 1))" "$WORK/hub.log" | grep -E 'Served request|Request rejected' | head -n 100000 \
    | sed -E 's/.*method=([A-Z]+).*path=([^ ]+).*/\1 \2/' | sort | uniq -c | sort -rn | head -12

M2=(kubectl --kubeconfig "$WORK/m2/kubeconfig" -n concord-system)
now_ms() { date +%s%3N; }
deleted=$(now_ms)
"${M2[@]}" delete cm concord-federation >/dev/null
until [[ "$("${M2[@]}" get cm concord-federation -o jsonpath='{.data.epoch}' 2>/dev/null)" == 1 ]]; do
    if (($(now_ms) - deleted > 30000)); then echo "the marker was not put back within 30 s" >&2; exit 1; fi
    sleep 0.05
done
echo "marker deleted in m2 with kubectl: back at epoch 1 after $(($(now_ms) - deleted)) ms"
