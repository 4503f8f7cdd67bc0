#!/usr/bin/env python3
"""Helpers for hack/bench/replication.sh, HTTPS against the control planes of `concord up`.

Each endpoint is given as a kubeconfig path (its server, CA and token are read from it).

Subcommands:
  populate KUBECONFIG NS PREFIX COUNT LABEL=VALUE  create COUNT 1 KiB ConfigMaps PREFIX-0… carrying the label
  direct KUBECONFIG NS PREFIX OBJECTS SECONDS      update OBJECTS ConfigMaps flat out (8 writers); print writes/s
  lag SOURCE NS PREFIX OBJECTS RATE SECONDS TARGET… [--freeze PID AT FOR TARGET]
                                                   update OBJECTS ConfigMaps at RATE writes/s (or flat out when
                                                   RATE is 0) while watching every TARGET; per write, lag =
                                                   write sent → the first event in a target holding that write
                                                   or a later one. Prints the source rate, the rate carried to
                                                   every target, and lag p50/p99/max per target and overall.
                                                   --freeze: SIGSTOP process PID (TARGET's server) AT s into
                                                   the writes, SIGCONT it FOR s later; prints how long after
                                                   SIGCONT every write sent before it had reached TARGET.
  count KUBECONFIG NS LABEL=VALUE                  ConfigMaps carrying the label in NS
  wait-count KUBECONFIG NS LABEL=VALUE COUNT SECONDS
                                                   seconds until COUNT such ConfigMaps exist
  rss PID                                          VmRSS, RssAnon and VmHWM of a process, in MB
"""
import base64
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time

PAD = "x" * 1024


class Endpoint:
    """Server, TLS context and token of a kubeconfig (read through kubectl, as users would)."""

    def __init__(self, kubeconfig):
        raw = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "config", "view", "--raw", "--minify", "-o", "json"],
                             check=True, capture_output=True, text=True).stdout
        config = json.loads(raw)
        cluster = config["clusters"][0]["cluster"]
        user = config["users"][0]["user"]
        server = cluster["server"]
        self.tls = server.startswith("https://")
        host_port = server.split("://", 1)[1].rstrip("/")
        self.host, port = host_port.rsplit(":", 1)
        self.port = int(port)
        self.token = user.get("token", "")
        self.context = None
        if self.tls:
            if "certificate-authority-data" in cluster:
                ca = tempfile.NamedTemporaryFile("wb", delete=False, suffix=".crt")
                ca.write(base64.b64decode(cluster["certificate-authority-data"]))
                ca.close()
                cafile = ca.name
            else:
                cafile = cluster.get("certificate-authority")
            self.context = ssl.create_default_context(cafile=cafile)

    def connection(self, timeout=120):
        if self.tls:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=self.context)
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def call(self, conn, method, path, body=None, content_type="application/json"):
        headers = {"Authorization": "Bearer " + self.token}
        if body is not None:
            headers["Content-Type"] = content_type
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values))) - 1))
    return sorted_values[index]


def label_pair(text):
    key, value = text.split("=", 1)
    return key, value


def ensure_namespace(ep, ns):
    body = json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    status, data = ep.call(ep.connection(), "POST", "/api/v1/namespaces", body)
    if status not in (201, 409):
        sys.exit("creating namespace %s: %d %s" % (ns, status, data[:200]))


def run_threads(worker, arguments, errors, what):
    """Runs worker(*args) for each args on its own thread; exits with the first error recorded."""
    workers = [threading.Thread(target=worker, args=args) for args in arguments]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    if errors:
        sys.exit("%s: %s" % (what, errors[0]))


def populate(kubeconfig, ns, prefix, count, label, threads=8):
    ep, count = Endpoint(kubeconfig), int(count)
    ensure_namespace(ep, ns)
    key, value = label_pair(label)
    errors = []

    def worker(indices):
        conn = ep.connection()
        for i in indices:
            body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                               "metadata": {"name": "%s-%d" % (prefix, i), "labels": {key: value}},
                               "data": {"value": PAD, "seq": "0", "t": "0"}})
            status, data = ep.call(conn, "POST", "/api/v1/namespaces/%s/configmaps" % ns, body)
            if status not in (201, 409):
                errors.append("%d %s" % (status, data[:200]))
                return

    started = time.time()
    run_threads(worker, [(range(t, count, threads),) for t in range(threads)], errors, "populate")
    print("%.0f" % (count / (time.time() - started)))


def write_loop(ep, ns, prefix, objects, rate, seconds, log, threads=8):
    """Updates objects PREFIX-0..objects-1 (each owned by one writer) for `seconds`; appends (name, seq, t_sent) to log."""
    stop_at = time.time() + seconds
    errors = []

    def worker(t):
        conn = ep.connection()
        mine = list(range(t, objects, threads))
        seq = 0
        interval = threads / rate if rate > 0 else 0.0
        next_at = time.time()
        while True:
            now = time.time()
            if now >= stop_at:
                return
            if interval:
                if now < next_at:
                    time.sleep(next_at - now)
                next_at += interval
            seq += 1
            name = "%s-%d" % (prefix, mine[seq % len(mine)])
            sent = time.time()
            patch = json.dumps({"data": {"seq": str(seq * threads + t), "t": "%.6f" % sent}})
            status, data = ep.call(conn, "PATCH", "/api/v1/namespaces/%s/configmaps/%s" % (ns, name), patch, "application/merge-patch+json")
            if status != 200:
                errors.append("%d %s" % (status, data[:200]))
                return
            log.append((name, seq * threads + t, sent))

    run_threads(worker, [(t,) for t in range(threads)], errors, "write")


def direct(kubeconfig, ns, prefix, objects, seconds):
    ep, log = Endpoint(kubeconfig), []
    started = time.time()
    write_loop(ep, ns, prefix, int(objects), 0, float(seconds), log)
    print("%.0f %d" % (len(log) / (time.time() - started), len(log)))


def watch(ep, ns, prefix, seen, stop, ready):
    """Records (name, seq, t_received) for every ConfigMap event PREFIX-* in ns until stop is set.
    A watch that ends or fails (its server frozen, a timeout) is opened again from the last
    resourceVersion seen."""
    rv = None
    while not stop.is_set():
        try:
            conn = ep.connection(timeout=2)
            if rv is None:
                status, body = ep.call(conn, "GET", "/api/v1/namespaces/%s/configmaps?limit=1" % ns)
                rv = json.loads(body)["metadata"]["resourceVersion"]
            conn.request("GET", "/api/v1/namespaces/%s/configmaps?watch=1&resourceVersion=%s" % (ns, rv),
                         headers={"Authorization": "Bearer " + ep.token})
            response = conn.getresponse()
            ready.set()
            buffer = b""
            while not stop.is_set():
                chunk = response.read1(65536)
                if not chunk:
                    break
                received = time.time()
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    obj = event.get("object", {})
                    if event.get("type") == "ERROR":
                        rv = None  # 410 Gone: start again from now
                        break
                    rv = obj.get("metadata", {}).get("resourceVersion", rv)
                    name = obj.get("metadata", {}).get("name", "")
                    seq = (obj.get("data") or {}).get("seq")
                    if name.startswith(prefix + "-") and seq is not None:
                        seen.append((name, int(seq), received))
        except (OSError, http.client.HTTPException, ValueError):
            time.sleep(0.1)


def freezer(pid, at, length, started, marks):
    time.sleep(max(0.0, started + at - time.time()))
    os.kill(pid, signal.SIGSTOP)
    marks["stopped"] = time.time()
    time.sleep(length)
    os.kill(pid, signal.SIGCONT)
    marks["continued"] = time.time()


def lag(source, ns, prefix, objects, rate, seconds, *targets):
    objects, rate, seconds = int(objects), float(rate), float(seconds)
    freeze = None
    if "--freeze" in targets:
        i = targets.index("--freeze")
        freeze = (int(targets[i + 1]), float(targets[i + 2]), float(targets[i + 3]), targets[i + 4])
        targets = targets[:i]
    src = Endpoint(source)
    stop = threading.Event()
    seen = {t: [] for t in targets}
    watchers = []
    for t in targets:
        ready = threading.Event()
        w = threading.Thread(target=watch, args=(Endpoint(t), ns, prefix, seen[t], stop, ready), daemon=True)
        w.start()
        ready.wait(30)
        watchers.append(w)
    log, marks = [], {}
    started = time.time()
    frozen = None
    if freeze:
        frozen = threading.Thread(target=freezer, args=(freeze[0], freeze[1], freeze[2], started, marks))
        frozen.start()
    write_loop(src, ns, prefix, objects, rate, seconds, log)
    wrote = time.time() - started
    if frozen:
        frozen.join()
    # Drain: wait until every target shows each object's last write (or 30 s).
    last = {}
    for name, seq, _ in log:
        last[name] = max(last.get(name, 0), seq)
    deadline = time.time() + 60
    while time.time() < deadline:
        done = True
        for t in targets:
            latest = {}
            for name, seq, _ in list(seen[t]):
                latest[name] = max(latest.get(name, 0), seq)
            if any(latest.get(name, -1) < seq for name, seq in last.items()):
                done = False
                break
        if done:
            break
        time.sleep(0.2)
    stop.set()
    overall, lines, finished = [], [], started
    for t in targets:
        arrivals = {}
        for name, seq, at in seen[t]:
            arrivals.setdefault(name, []).append((seq, at))
        for name in arrivals:
            arrivals[name].sort()
        lags, missing = [], 0
        for name, seq, sent in log:
            first = next((at for s, at in arrivals.get(name, []) if s >= seq), None)
            if first is None:
                missing += 1
                continue
            lags.append(first - sent)
            finished = max(finished, first)
        lags.sort()
        overall += lags
        if freeze and t == freeze[3] and "continued" in marks:
            # Caught up: every write sent before SIGCONT is there (that write or a later one of its object).
            # Writes go on after SIGCONT, so the target's last arrival says nothing about catching up.
            before = [(name, seq) for name, seq, sent in log if sent < marks["continued"]]
            firsts = [next((at for s, at in arrivals.get(name, []) if s >= seq), None) for name, seq in before]
            label = os.path.basename(os.path.dirname(t)) or t
            if any(at is None for at in firsts):
                lines.append("  %-40s never caught up: %d writes sent before SIGCONT not seen" % (label, sum(at is None for at in firsts)))
            elif firsts:
                lines.append("  %-40s caught up %.2f s after SIGCONT: every write sent before it arrived (%d writes, frozen %.0f s)" % (
                    label, max(0.0, max(firsts) - marks["continued"]), len(before), marks["continued"] - marks["stopped"]))
        lines.append("  %-40s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  writes not seen %d" % (
            os.path.basename(os.path.dirname(t)) or t, percentile(lags, 50) * 1000, percentile(lags, 99) * 1000,
            (lags[-1] if lags else float("nan")) * 1000, missing))
    overall.sort()
    print("source writes %d in %.1f s: %.0f writes/s; carried to all %d targets: %.0f writes/s (last write reached every target %.2f s after the first)" % (
        len(log), wrote, len(log) / wrote, len(targets), len(log) / max(finished - started, wrote), finished - started))
    for line in lines:
        print(line)
    print("  %-40s p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms" % (
        "all targets", percentile(overall, 50) * 1000, percentile(overall, 99) * 1000, (overall[-1] if overall else float("nan")) * 1000))


def count(kubeconfig, ns, label):
    ep = Endpoint(kubeconfig)
    key, value = label_pair(label)
    return _count(ep, ep.connection(), ns, key, value)


def _count(ep, conn, ns, key, value):
    status, body = ep.call(conn, "GET", "/api/v1/namespaces/%s/configmaps?labelSelector=%s%%3D%s" % (ns, key, value))
    if status != 200:
        return 0
    return len(json.loads(body).get("items", []))


def wait_count(kubeconfig, ns, label, want, seconds):
    ep = Endpoint(kubeconfig)
    key, value = label_pair(label)
    started = time.time()
    conn = ep.connection()
    while time.time() - started < float(seconds):
        if _count(ep, conn, ns, key, value) >= int(want):
            print("%.2f" % (time.time() - started))
            return
        time.sleep(0.25)
    sys.exit("timed out waiting for %s ConfigMaps labelled %s in %s" % (want, label, kubeconfig))


def rss(pid):
    values = {}
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS", "VmHWM", "RssAnon")):
                key, value = line.split(":")
                values[key] = int(value.split()[0]) / 1024.0
    # RssAnon is the process's own memory; the rest of VmRSS is pages of its binary and the shared
    # libraries it maps (about 37 MB of an idle controller's 43 MB).
    print("RSS %.1f MB, of which anonymous %.1f MB (peak RSS %.1f MB)" % (values.get("VmRSS", 0), values.get("RssAnon", 0), values.get("VmHWM", 0)))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "count":
        print(count(*args))
    else:
        {"populate": populate, "direct": direct, "lag": lag, "wait-count": wait_count, "rss": rss}[command](*args)
