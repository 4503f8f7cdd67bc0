"""A local federation (`concord up`) for the benchmarks, and the kubectl helpers they share."""
import contextlib
import json
import os
import signal
import subprocess
import tempfile
import time


def kubectl(kubeconfig, *args, stdin=None, check=True):
    result = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "--request-timeout=5s", *args],
                            input=stdin, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise SystemExit(f"kubectl {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout.strip()


def wait(what, condition, timeout=120, every=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(every)
    raise SystemExit(f"timed out waiting for {what}")


@contextlib.contextmanager
def local_federation(binary, datacenters, prefix):
    """Runs `concord up --datacenters N` in a new directory; yields (directory, up.json). On the way
    out it stops concord up, kills anything it left (the hub, the controller, the members) and
    removes the directory."""
    work = tempfile.mkdtemp(prefix=prefix)
    up_log = open(os.path.join(work, "up.log"), "w")
    up = subprocess.Popen([binary, "up", "--datacenters", str(datacenters), "--data-dir", work], stdout=up_log, stderr=subprocess.STDOUT)
    try:
        wait("concord up", lambda: os.path.exists(os.path.join(work, "up.json")), timeout=180, every=0.2)
        yield work, json.load(open(os.path.join(work, "up.json")))
    finally:
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


def restart_member(binary, member, log_path):
    """Starts a killed member's control plane again on its data dir and port (TLS, simulated workloads)."""
    return subprocess.Popen([binary, "server", "--data-dir", member["dataDir"], "--port", str(member["port"]), "--tls", "--simulate-workloads"],
                            stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
