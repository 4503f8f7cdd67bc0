"""ServiceFailover kill -9 timing on `concord up`; see hack/bench/failover.sh."""
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

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


def kubectl(kubeconfig, *args, stdin=None, check=True):
    result = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "--request-timeout=5s", *args],
                            input=stdin, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SystemExit(f"kubectl {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


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


def wait(what, condition, timeout=120, every=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise SystemExit(f"timed out waiting for {what}")


def main():
    binary, runs = sys.argv[1], int(sys.argv[2])
    work = tempfile.mkdtemp(prefix="concord-failover-bench.")
    up_log = open(os.path.join(work, "up.log"), "w")
    up = subprocess.Popen([binary, "up", "--datacenters", "3", "--data-dir", work], stdout=up_log, stderr=subprocess.STDOUT)
    restarted = None
    try:
        wait("concord up", lambda: os.path.exists(os.path.join(work, "up.json")), timeout=180, every=0.2)
        layout = json.load(open(os.path.join(work, "up.json")))
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
            log = open(os.path.join(work, f"us-east-{run}.log"), "w")
            m = members["us-east"]
            restarted = subprocess.Popen([binary, "server", "--data-dir", m["dataDir"], "--port", str(m["port"]), "--tls", "--simulate-workloads"],
                                         stdout=log, stderr=subprocess.STDOUT)
            pid = restarted.pid
            kubectl(hub, "wait", "--for=condition=Ready", "dc/us-east", "--timeout=60s")
            wait("us-east scaled to 0", lambda: kubectl(east, "get", "deploy", "payment-api", "-n", "shop", "-o", "jsonpath={.spec.replicas}", check=False) == "0")
            subprocess.run([binary, "service", "failback", "payment-api", "-n", "shop", "--kubeconfig", hub], check=True, capture_output=True)
            wait("traffic back in us-east", lambda: all(routes(k) == "us-east:3" for k in (east, west, eu)))
        print(f"failover after kill -9 ({runs} runs): min {min(times):.2f} s, median {statistics.median(times):.2f} s, max {max(times):.2f} s")
    finally:
        if restarted:
            restarted.kill()
        up.send_signal(signal.SIGINT)
        try:
            up.wait(timeout=15)
        except subprocess.TimeoutExpired:
            up.kill()
        if os.path.exists(os.path.join(work, "up.json")):
            layout = json.load(open(os.path.join(work, "up.json")))
            for p in [layout["hub"].get("pid"), (layout.get("controller") or {}).get("pid")] + [m.get("pid") for m in layout["datacenters"]]:
                if p:
                    try:
                        os.kill(p, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
