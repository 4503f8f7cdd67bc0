"""ActiveActive kill -9 and return timing on `concord up --datacenters 5`; see hack/bench/active-active.sh."""
import calendar
import os
import signal
import statistics
import subprocess
import sys
import time

from federation import kubectl, local_federation, restart_member, wait

WORKLOAD = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: example/web:1}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
"""
ACTIVE_ACTIVE = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: federation.concord.dev/v1alpha1
kind: ServiceFailover
metadata: {name: web, namespace: shop}
spec:
  service: web
  primary: us-east
  mode: ActiveActive
  replicas: 12
  placement:
    datacenterSelector: {matchLabels: {tier: web}}
    weights: [{datacenter: us-east, weight: 2}, {datacenter: us-west, weight: 1}, {datacenter: eu-central, weight: 1}]
  policy: {failback: Automatic, stabilizationSeconds: %d}
"""


def copy(kubeconfig):
    """(spec.replicas, ready replicas) of Deployment web in a member, or None when it has none or does not answer."""
    out = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "--request-timeout=5s", "get", "deploy", "web", "-n", "shop", "-o",
                          "jsonpath={.spec.replicas} {.status.readyReplicas}"], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    fields = [int(f) if f.isdigit() else 0 for f in out.stdout.split()]
    return (fields[0] if fields else 0, fields[1] if len(fields) > 1 else 0)


def routes(kubeconfig):
    """source-datacenter:endpoints of web-global's EndpointSlices in one member, sorted."""
    out = kubectl(kubeconfig, "get", "endpointslices", "-n", "shop", "-l", "kubernetes.io/service-name=web-global", "-o",
                  r'jsonpath={range .items[*]}{.metadata.labels.federation\.concord\.dev/source-datacenter}:{.endpoints[*].addresses[0]}{"\n"}{end}',
                  check=False)
    return ",".join(sorted(f"{dc}:{len(a.split())}" for dc, _, a in (line.partition(":") for line in out.splitlines())))


def rfc3339(text):
    """Seconds since the epoch of a timestamp the API server wrote (whole seconds, UTC)."""
    return calendar.timegm(time.strptime(text.strip(), "%Y-%m-%dT%H:%M:%SZ"))


def summary(label, values):
    return f"{label}: min {min(values):.2f} s, median {statistics.median(values):.2f} s, max {max(values):.2f} s"


def main():
    binary, runs, window = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    restarted = None
    with local_federation(binary, 5, "concord-active-active-bench.") as (work, layout):
        try:
            members = {m["name"]: m for m in layout["datacenters"]}
            hub = os.path.join(work, "hub.kubeconfig")
            east, west, eu = (members[n]["kubeconfig"] for n in ("us-east", "us-west", "eu-central"))
            kubectl(hub, "label", "dc", "us-east", "us-west", "eu-central", "tier=web")
            kubectl(east, "apply", "-f", "-", stdin=WORKLOAD)
            kubectl(hub, "apply", "-f", "-", stdin=ACTIVE_ACTIVE % window)
            settled = "eu-central:3,us-east:6,us-west:3"
            wait("6/3/3 ready and routed", lambda: copy(east) == (6, 6) and copy(west) == (3, 3) and copy(eu) == (3, 3)
                 and all(routes(members[n]["kubeconfig"]) == settled for n in members))
            pid = members["us-east"]["pid"]
            moves, placed_after, restores, lowest, window_kept = [], [], [], [], []
            for run in range(1, runs + 1):
                os.kill(pid, signal.SIGKILL)
                killed = time.monotonic()
                low = [12]

                def moved():
                    w, e = copy(west), copy(eu)
                    low[0] = min(low[0], (w or (0, 0))[1] + (e or (0, 0))[1])
                    return w == (6, 6) and e == (6, 6) and routes(west) == "eu-central:6,us-west:6" and routes(eu) == "eu-central:6,us-west:6"
                wait("us-east's share ready in us-west and eu-central and routed", moved, timeout=120)
                moves.append(time.monotonic() - killed)
                lowest.append(low[0])
                if restarted:
                    restarted.wait()
                restarted = restart_member(binary, members["us-east"], os.path.join(work, f"us-east-{run}.log"))
                pid = restarted.pid
                kubectl(hub, "wait", "--for=condition=Ready", "dc/us-east", "--timeout=60s")
                back_at = time.monotonic()
                first = [None]

                def restored():
                    c = copy(east)
                    if first[0] is None and c and c[0] > 0:
                        first[0] = time.monotonic() - back_at
                    return c == (6, 6) and copy(west) == (3, 3) and copy(eu) == (3, 3) and routes(west) == settled
                wait("6/3/3 back", restored, timeout=window + 120)
                restores.append(time.monotonic() - back_at)
                placed_after.append(first[0])
                ready_at = kubectl(hub, "get", "dc", "us-east", "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].lastTransitionTime}')
                rebalanced_at = kubectl(hub, "get", "sf", "web", "-n", "shop", "-o", "jsonpath={.status.history[0].startedAt}")
                window_kept.append(rfc3339(rebalanced_at) - rfc3339(ready_at))
                print(f"run {run}: kill -9 of us-east -> its share ready elsewhere and routed in {moves[-1]:.2f} s (ready in us-west + eu-central "
                      f"never below {low[0]}); back: share placed {first[0]:.2f} s and 6/3/3 ready and routed {restores[-1]:.2f} s after Ready "
                      f"(stabilizationSeconds {window}; the Rebalance began {window_kept[-1]:.0f} s after the Ready condition's transition)", flush=True)
            print(summary(f"kill -9 to share ready elsewhere and discovery updated ({runs} runs)", moves))
            print(summary("Ready again to share placed", placed_after))
            print(summary("Ready again to 6/3/3 ready and routed", restores))
            print(f"lowest ready total in the two survivors during a move: {min(lowest)} (bound 6)")
            print(f"Rebalance after the Ready transition (status timestamps, whole seconds): min {min(window_kept):.0f} s (window {window} s)")
        finally:
            if restarted:
                restarted.kill()

if __name__ == "__main__":
    main()
