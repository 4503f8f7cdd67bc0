"""ServiceFailover kill -9 timing on `concord up`; see hack/bench/failover.sh."""
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
metadata: {name: payment-api, namespace: shop}
spec:
  replicas: 3
  selector: {matchLabels: {app: payment-api}}
  template:
    metadata: {labels: {app: payment-api}}
    spec: {containers: [{name: api, image: example/payment-api:1}]}
---
apiVersion: v1
kind: Service
metadata: {name: payment-api, namespace: shop}
spec:
  selector: {app: payment-api}
  ports: [{name: http, port: 80, targetPort: 8080}]
"""
FAILOVER = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: federation.concord.dev/v1alpha1
kind: ServiceFailover
metadata: {name: payment-api, namespace: shop}
spec:
  service: payment-api
  primary: us-east
  failover:
  - {datacenter: us-west, replicas: 2}
  - {datacenter: eu-central}
"""


def routes(kubeconfig):
    """source-datacenter:endpoints of payment-api-global's EndpointSlices in one member."""
    out = kubectl(kubeconfig, "get", "endpointslices", "-n", "shop", "-l", "kubernetes.io/service-name=payment-api-global", "-o",
                  r'jsonpath={range .items[*]}{.metadata.labels.federation\.concord\.dev/source-datacenter}:{.endpoints[*].addresses[0]}{"\n"}{end}',
                  check=False)
    pairs = []
    for line in out.splitlines():
        dc, _, addresses = line.partition(":")
        pairs.append(f"{dc}:{len(addresses.split())}")
    return ",".join(sorted(pairs))


def main():
    binary, runs = sys.argv[1], int(sys.argv[2])
    restarted = None
    with local_federation(binary, 3, "concord-failover-bench.") as (work, layout):
        try:
            members = {m["name"]: m for m in layout["datacenters"]}
            hub = os.path.join(work, "hub.kubeconfig")
            east, west, eu = (members[n]["kubeconfig"] for n in ("us-east", "us-west", "eu-central"))
            kubectl(east, "apply", "-f", "-", stdin=WORKLOAD)
            kubectl(hub, "apply", "-f", "-", stdin=FAILOVER)
            kubectl(hub, "wait", "--for=condition=Ready", "sf/payment-api", "-n", "shop", "--timeout=60s")
            wait("global routes to us-east", lambda: all(routes(k) == "us-east:3" for k in (east, west, eu)))
            pid = members["us-east"]["pid"]
            times = []
            for run in range(1, runs + 1):
                os.kill(pid, signal.SIGKILL)
                killed = time.monotonic()
                wait("traffic on us-west", lambda: routes(west) == "us-west:2" and routes(eu) == "us-west:2")
                elapsed = time.monotonic() - killed
                times.append(elapsed)
                reason = kubectl(hub, "get", "sf", "payment-api", "-n", "shop", "-o", "jsonpath={.status.lastTransition.reason} {.status.lastTransition.durationSeconds}")
                print(f"run {run}: kill -9 of us-east -> payment-api-global on us-west in {elapsed:.2f} s (status: {reason} s from start to switch)", flush=True)
                if restarted:
                    restarted.wait()
                restarted = restart_member(binary, members["us-east"], os.path.join(work, f"us-east-{run}.log"))
                pid = restarted.pid
                kubectl(hub, "wait", "--for=condition=Ready", "dc/us-east", "--timeout=60s")
                wait("us-east scaled to 0", lambda: kubectl(east, "get", "deploy", "payment-api", "-n", "shop", "-o", "jsonpath={.spec.replicas}", check=False) == "0")
                subprocess.run([binary, "service", "failback", "payment-api", "-n", "shop", "--kubeconfig", hub], check=True, capture_output=True)
                wait("traffic back in us-east", lambda: all(routes(k) == "us-east:3" for k in (east, west, eu)))
            print(f"failover after kill -9 ({runs} runs): min {min(times):.2f} s, median {statistics.median(times):.2f} s, max {max(times):.2f} s")
        finally:
            if restarted:
                restarted.kill()


if __name__ == "__main__":
    main()
