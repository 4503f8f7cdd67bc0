#!/usr/bin/env bash
# How long `concord validate` takes on N manifest files (default 100), as a pre-commit hook runs it.
#
#   hack/bench/validate.sh                     # uses .build/debug/concord
#   CONCORD_BIN=.build/release/concord N=100 RUNS=5 hack/bench/validate.sh
#
# Writes N files (each a Datacenter, a FederationPolicy and a ServiceFailover, 3 documents) into a
# temporary directory, then times RUNS runs of one `concord validate -f DIR` over all of them and
# prints each wall time and the median, plus one run with a broken file among them (exit 1 expected).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${CONCORD_BIN:-$ROOT/.build/debug/concord}"
N="${N:-100}"
RUNS="${RUNS:-5}"
WORK="$(mktemp -d /tmp/concord-validate-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

[ -x "$BIN" ] || { echo "validate bench: $BIN not found; run swift build first (or set CONCORD_BIN)" >&2; exit 1; }

for i in $(seq 1 "$N"); do
  cat > "$WORK/federation-$i.yaml" <<YAML
apiVersion: federation.concord.dev/v1alpha1
kind: Datacenter
metadata: {name: dc-$i, labels: {geo: us}}
spec:
  region: us-east-1
  priority: $((i % 1000))
  credentialsRef: {namespace: concord-system, name: dc-$i-kubeconfig}
  healthCheck: {periodSeconds: 2, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 2}
---
apiVersion: federation.concord.dev/v1alpha1
kind: FederationPolicy
metadata: {name: policy-$i}
spec:
  primary: dc-$i
  datacenterSelector: {matchLabels: {geo: us}}
  promotion: {mode: Automatic, unreachableForSeconds: 30, candidates: [dc-$i]}
---
apiVersion: federation.concord.dev/v1alpha1
kind: ServiceFailover
metadata: {name: web-$i, namespace: shop}
spec:
  service: web
  primary: dc-$i
  failover: [{datacenter: dc-$i, replicas: 2}]
YAML
done

times=()
for run in $(seq 1 "$RUNS"); do
  start=$(date +%s.%N)
  "$BIN" validate -f "$WORK" > "$WORK.out"
  end=$(date +%s.%N)
  t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  times+=("$t")
  echo "run $run: $(tail -1 "$WORK.out") in ${t}s"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
echo "median over $RUNS runs: ${median}s for $N files ($((N * 3)) documents)"

sed -i 's/priority: 1$/priority: high/' "$WORK/federation-1.yaml"
if "$BIN" validate -f "$WORK" > "$WORK.out" 2>"$WORK.err"; then
  echo "validate bench: a broken file passed" >&2; cat "$WORK.out" "$WORK.err" >&2; exit 1
fi
echo "with one broken file: $(head -1 "$WORK.out")"
rm -f "$WORK.out" "$WORK.err"
