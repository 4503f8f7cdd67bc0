#!/usr/bin/env python3
"""Helpers for hack/bench/run.sh, plain HTTP/1.1 against a concord server on loopback.

Subcommands:
  freeport                                   print a free loopback port
  wait URL SECONDS                           wait until GET URL answers 200
  namespace PORT TOKEN NS                    create a namespace (ok if it exists)
  populate PORT TOKEN NS PREFIX COUNT        create COUNT 1 KiB ConfigMaps PREFIX-0... (parallel)
  count PORT TOKEN                           number of ConfigMaps in all namespaces
  list-latency PORT TOKEN PATH REPEATS       time full LISTs of PATH
  watch-latency PORT TOKEN NS WATCHERS RATE SECONDS
                                             WATCHERS watches on NS, one writer creating RATE ConfigMaps/s;
                                             latency = write sent -> event received by a watcher
  rss PID                                    VmRSS and VmHWM of a process
  idle-watchers PORT TOKEN NS COUNT PID      open COUNT idle watches on NS; the server's RSS growth per watch
  slow-watcher PORT TOKEN NS                 create latency before, while and after one watcher stops reading
                                             (the server must end that watch with 410, not slow down writers)
"""
import http.client
import json
import multiprocessing as mp
import re
import selectors
import socket
import sys
import threading
import time

PAD = "x" * 1024


def connection(port):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=120)


def call(conn, method, path, token, body=None):
    headers = {"Authorization": "Bearer " + token}
    if body is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def configmap(name, data):
    return json.dumps(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}, separators=(",", ":"))


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values))) - 1))
    return sorted_values[index]


def freeport():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])


def wait(url, seconds):
    import urllib.request
    deadline = time.time() + float(seconds)
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.1)
    sys.exit("not ready: " + url)


def namespace(port, token, ns):
    body = json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    status, data = call(connection(int(port)), "POST", "/api/v1/namespaces", token, body)
    if status not in (201, 409):
        sys.exit("creating namespace %s: %d %s" % (ns, status, data[:200]))


def _populate_slice(port, token, ns, prefix, indices, errors):
    conn = connection(port)
    path = "/api/v1/namespaces/%s/configmaps" % ns
    for i in indices:
        status, data = call(conn, "POST", path, token, configmap("%s-%d" % (prefix, i), {"value": PAD}))
        if status not in (201, 409):
            errors.append("%d %s" % (status, data[:200]))
            return


def _populate_process(port, token, ns, prefix, indices, threads, queue):
    errors = []
    workers = [
        threading.Thread(target=_populate_slice, args=(port, token, ns, prefix, indices[t::threads], errors))
        for t in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    queue.put(errors)


def populate(port, token, ns, prefix, count, processes=4, threads=4):
    port, count = int(port), int(count)
    indices = list(range(count))
    queue = mp.Queue()
    started = time.time()
    procs = [
        mp.Process(target=_populate_process, args=(port, token, ns, prefix, indices[p::processes], threads, queue))
        for p in range(processes)
    ]
    for p in procs:
        p.start()
    errors = []
    for _ in procs:
        errors += queue.get()
    for p in procs:
        p.join()
    if errors:
        sys.exit("populate failed: " + errors[0])
    elapsed = time.time() - started
    print("populated %d ConfigMaps in %s in %.1f s (%.0f/s)" % (count, ns, elapsed, count / elapsed))


def count(port, token):
    status, data = call(connection(int(port)), "GET", "/api/v1/configmaps?limit=1", token)
    if status != 200:
        sys.exit("count: %d" % status)
    body = json.loads(data)
    print(len(body["items"]) + int(body["metadata"].get("remainingItemCount", 0)))


def list_latency(port, token, path, repeats):
    conn = connection(int(port))
    times, items, size = [], 0, 0
    for _ in range(int(repeats)):
        started = time.perf_counter()
        status, data = call(conn, "GET", path, token)
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            sys.exit("list: %d" % status)
        size = len(data)
        items = len(json.loads(data)["items"])
    times.sort()
    print("LIST %s: %d items, %.1f MB, p50 %.0f ms, p99 %.0f ms, min %.0f ms, max %.0f ms over %d requests" % (
        path, items, size / 1e6, percentile(times, 50), percentile(times, 99), times[0], times[-1], len(times)))


SENT = re.compile(rb'"sent":\s*"(\d+)"')


def _watch_process(port, token, ns, rv, watchers, expected, ready, results, deadline):
    """Runs `watchers` watch connections; each must see `expected` events after the priming one."""
    selector = selectors.DefaultSelector()
    request = ("GET /api/v1/namespaces/%s/configmaps?watch=true&resourceVersion=%s HTTP/1.1\r\n"
               "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\nAccept: application/json\r\n\r\n" % (ns, rv, token)).encode()
    state = {}
    for _ in range(watchers):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(request)
        s.setblocking(False)
        state[s] = {"tail": b"", "seen": 0}
        selector.register(s, selectors.EVENT_READ)
    latencies = []
    primed = 0
    finished = set()
    while len(finished) < watchers and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=0.5):
            s = key.fileobj
            try:
                chunk = s.recv(1 << 20)
            except BlockingIOError:
                continue
            now = time.monotonic_ns()
            if not chunk:
                selector.unregister(s)
                finished.add(s)
                continue
            st = state[s]
            buf = st["tail"] + chunk
            last_end = 0
            for m in SENT.finditer(buf):
                sent = int(m.group(1))
                if st["seen"] == 0:
                    primed += 1
                    if primed == watchers:
                        ready.set()
                else:
                    latencies.append(now - sent)
                st["seen"] += 1
                last_end = m.end()
                if st["seen"] == expected + 1:
                    finished.add(s)
            st["tail"] = buf[max(last_end, len(buf) - 64):]
    results.put((latencies, [st["seen"] - 1 for st in state.values()]))


def _writer(port, token, ns, rate, total, k, threads, t0, out, run):
    conn = connection(port)
    path = "/api/v1/namespaces/%s/configmaps" % ns
    lat = []
    for i in range(k, total, threads):
        target = t0 + i / rate
        delay = target - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        started = time.monotonic_ns()
        status, data = call(conn, "POST", path, token, configmap("w-%s-%d" % (run, i), {"sent": str(started), "value": PAD}))
        lat.append((time.monotonic_ns() - started) / 1e6)
        if status != 201:
            out.append(("error", "%d %s" % (status, data[:200])))
            return
    out.append(("ok", lat))


def watch_latency(port, token, ns, watchers, rate, seconds, processes=4, threads=32):
    port, watchers, rate, seconds = int(port), int(watchers), float(rate), float(seconds)
    total = int(rate * seconds)
    run = "%x" % (time.time_ns() & 0xFFFFFFFF)
    conn = connection(port)
    status, data = call(conn, "GET", "/api/v1/namespaces/%s/configmaps?limit=1" % ns, token)
    rv = json.loads(data)["metadata"]["resourceVersion"]
    ready = [mp.Event() for _ in range(processes)]
    results = mp.Queue()
    deadline = time.monotonic() + seconds + 120
    per = [watchers // processes + (1 if p < watchers % processes else 0) for p in range(processes)]
    procs = [mp.Process(target=_watch_process, args=(port, token, ns, rv, per[p], total, ready[p], results, deadline),
                        daemon=True) for p in range(processes)]
    for p in procs:
        p.start()
    # The priming write: every watcher must see it before the measured writes start.
    status, data = call(conn, "POST", "/api/v1/namespaces/%s/configmaps" % ns, token,
                        configmap("prime-%s" % run, {"sent": str(time.monotonic_ns())}))
    if status != 201:
        sys.exit("priming write: %d %s" % (status, data[:200]))
    for r in ready:
        if not r.wait(60):
            sys.exit("watchers did not all connect")
    out = []
    t0 = time.monotonic() + 0.05
    writers = [threading.Thread(target=_writer, args=(port, token, ns, rate, total, k, threads, t0, out, run))
               for k in range(threads)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    elapsed = time.monotonic() - t0
    write_lat = []
    for kind, value in out:
        if kind == "error":
            sys.exit("writer failed: " + value)
        write_lat += value
    latencies, counts = [], []
    for _ in procs:
        lat, seen = results.get()
        latencies += lat
        counts += seen
    for p in procs:
        p.join()
    latencies = sorted(x / 1e6 for x in latencies)
    write_lat.sort()
    delivered = sum(counts)
    print("watch: %d watchers, %d writes at %.0f writes/s (achieved %.0f/s); events delivered %d of %d" % (
        watchers, total, rate, total / elapsed, delivered, total * watchers))
    print("watch delivery latency (write sent -> event received): p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms" % (
        percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 99.9), latencies[-1] if latencies else float("nan")))
    print("create latency during the watch test: p50 %.1f ms, p99 %.1f ms" % (percentile(write_lat, 50), percentile(write_lat, 99)))
    if delivered != total * watchers:
        sys.exit("some watch events were not delivered")


def rss(pid):
    values = {}
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(value.split()[0]) // 1024
    print("VmRSS %d MiB, VmHWM %d MiB" % (values["VmRSS"], values["VmHWM"]))


def _resident_kib(pid):
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit("no VmRSS for pid %s" % pid)


def _watch_request(ns, token, rv="", extra=""):
    return ("GET /api/v1/namespaces/%s/configmaps?watch=true%s%s HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nAuthorization: Bearer %s\r\nAccept: application/json\r\n\r\n"
            % (ns, "&resourceVersion=" + rv if rv else "", extra, token)).encode()


def idle_watchers(port, token, ns, count, pid):
    """Opens COUNT watches that receive nothing, and reports what each costs the server in resident memory."""
    port, count = int(port), int(count)
    request = _watch_request(ns, token)
    time.sleep(1)
    before = _resident_kib(pid)
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(request)
        sockets.append(s)
    time.sleep(2)  # let the server register every watch
    after = _resident_kib(pid)
    print("%d idle watches: server RSS %d -> %d MiB, %.1f KiB per watch" % (
        count, before // 1024, after // 1024, (after - before) / count))
    for s in sockets:
        s.close()


def _create_latencies(conn, token, ns, prefix, n):
    path = "/api/v1/namespaces/%s/configmaps" % ns
    times = []
    for i in range(n):
        started = time.perf_counter()
        status, data = call(conn, "POST", path, token, configmap("%s-%d" % (prefix, i), {"value": PAD}))
        times.append((time.perf_counter() - started) * 1000)
        if status != 201:
            sys.exit("create: %d %s" % (status, data[:200]))
    times.sort()
    return percentile(times, 50), percentile(times, 99)


def slow_watcher(port, token, ns):
    """A watcher that never reads must not slow writers: the server ends its watch once its buffer is full."""
    port = int(port)
    conn = connection(port)
    base = _create_latencies(conn, token, ns, "slow-before", 300)
    stuck = socket.create_connection(("127.0.0.1", port))
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stuck.sendall(_watch_request(ns, token))
    during = _create_latencies(conn, token, ns, "slow-during", 3000)
    after = _create_latencies(conn, token, ns, "slow-after", 300)
    stuck.close()
    print("create latency p50/p99 (ms): %.2f/%.2f before, %.2f/%.2f while a watcher does not read (3,000 writes), "
          "%.2f/%.2f after" % (base + during + after))


if __name__ == "__main__":
    commands = {
        "freeport": freeport, "wait": wait, "namespace": namespace, "populate": populate, "count": count,
        "list-latency": list_latency, "watch-latency": watch_latency, "rss": rss,
        "idle-watchers": idle_watchers, "slow-watcher": slow_watcher,
    }
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](*sys.argv[2:])
