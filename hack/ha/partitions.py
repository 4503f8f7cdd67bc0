#!/usr/bin/env python3
"""Jepsen-style partitions of Concord's etcd: each of 3 etcd members lives in its own network namespace
(veth links on one bridge); a partition takes one member's link down, cutting it off from the other
members and from every client outside its namespace.

Per round one member is isolated (the leader and a follower, in turn) for PARTITION_SECONDS:
  - a Concord server inside the isolated member's namespace, on that member alone, takes writes from a
    client beside it: the minority must acknowledge none of them;
  - a Concord server outside, on all three members, takes writes throughout: the majority carries on;
  - after the heal, the isolated member must catch up with the majority's revision.
A watch through the outside server, opened before the first round and resumed from its last
resourceVersion whenever it ends, must see every acknowledged write exactly once, in order.

Run as root (network namespaces): hack/ha/partitions.sh [ROUNDS]. Prints a Jepsen-shaped result and
exits 1 when any check fails.

Subcommands used inside a namespace (by the harness itself):
  wait-ready PORT TOKEN SECONDS
  minority PORT TOKEN SECONDS PREFIX      write for SECONDS through the minority server; print counts as JSON
"""
import http.client
import json
import os
import subprocess
import sys
import threading
import time

TOKEN = "partition-token"
NS = "default"
CMS = "/api/v1/namespaces/%s/configmaps" % NS
BRIDGE = "cha-br"
SUBNET = "10.77.0"


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def request(host, port, method, path, body=None, timeout=5.0, auth=True):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        h = {"Authorization": "Bearer " + TOKEN} if auth else {}
        if body is not None:
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def configmap(name):
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": name}})


class History:
    """Jepsen's view of one client's writes: ok (acknowledged, with the resourceVersion), failed
    (refused: certainly not applied) or info (unknown: the answer was lost or was a 5xx)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.invoked = 0
        self.ok = {}
        self.failed = 0
        self.info = 0

    def write(self, host, port, name, timeout):
        with self.lock:
            self.invoked += 1
        try:
            status, data = request(host, port, "POST", CMS, configmap(name), timeout=timeout)
        except Exception:
            with self.lock:
                self.info += 1
            return
        with self.lock:
            if status == 201:
                self.ok[name] = json.loads(data)["metadata"]["resourceVersion"]
            elif status >= 500:
                self.info += 1
            else:
                self.failed += 1

    def counts(self):
        with self.lock:
            return {"invoked": self.invoked, "ok": len(self.ok), "failed": self.failed, "info": self.info}


def wait_ready(port, token, seconds):
    deadline = time.time() + float(seconds)
    while time.time() < deadline:
        try:
            if request("127.0.0.1", int(port), "GET", "/readyz", timeout=2)[0] == 200:
                return
        except Exception:
            pass
        time.sleep(0.1)
    sys.exit("not ready on port %s" % port)


def minority(port, token, seconds, prefix):
    history = History()
    deadline = time.monotonic() + float(seconds)
    n = 0
    while time.monotonic() < deadline:
        n += 1
        history.write("127.0.0.1", int(port), "%s-%d" % (prefix, n), timeout=max(0.5, min(3.0, deadline - time.monotonic())))
    print(json.dumps({"counts": history.counts(), "ok": history.ok}))


class Watch(threading.Thread):
    """Follows ConfigMap events through one server from a resourceVersion, resuming from the last one
    it saw whenever the stream ends; records each name's resourceVersion, duplicates and disorder."""

    def __init__(self, port, rv):
        super().__init__(daemon=True)
        self.port, self.rv = port, rv
        self.seen, self.duplicates, self.out_of_order, self.last = {}, [], 0, int(rv)
        self.errors, self.resumes = [], 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", CMS + "?watch=true&allowWatchBookmarks=true&resourceVersion=%s" % self.rv,
                             headers={"Authorization": "Bearer " + TOKEN})
                r = conn.getresponse()
                if r.status != 200:
                    self.errors.append("watch answered %d" % r.status)
                    time.sleep(0.2)
                    continue
                while not self.stop.is_set():
                    line = r.readline()
                    if not line:
                        break
                    self.record(json.loads(line))
            except Exception:
                pass
            self.resumes += 1
            time.sleep(0.05)

    def record(self, event):
        obj = event.get("object", {})
        rv = obj.get("metadata", {}).get("resourceVersion")
        if event.get("type") == "ERROR":
            self.errors.append(obj.get("message", "watch error"))
            return
        if rv is None:
            return
        self.rv = rv
        if event.get("type") == "BOOKMARK":
            return
        name = obj["metadata"]["name"]
        if name in self.seen:
            self.duplicates.append(name)
        if int(rv) <= self.last:
            self.out_of_order += 1
        self.last = int(rv)
        self.seen[name] = rv


class Cluster:
    def __init__(self, work, concord, etcd):
        self.work, self.concord, self.etcd = work, concord, etcd
        self.procs = []
        self.members = [("m%d" % i, "%s.%d" % (SUBNET, 11 + i)) for i in range(3)]

    def netns(self, i):
        return "cha-%s" % self.members[i][0]

    def setup_network(self):
        sh("ip", "link", "add", BRIDGE, "type", "bridge")
        sh("ip", "addr", "add", SUBNET + ".1/24", "dev", BRIDGE)
        sh("ip", "link", "set", BRIDGE, "up")
        for i, (name, ip) in enumerate(self.members):
            ns = self.netns(i)
            sh("ip", "netns", "add", ns)
            sh("ip", "link", "add", "cha-h%d" % i, "type", "veth", "peer", "name", "cha-n%d" % i)
            sh("ip", "link", "set", "cha-n%d" % i, "netns", ns)
            sh("ip", "link", "set", "cha-h%d" % i, "master", BRIDGE, "up")
            sh("ip", "netns", "exec", ns, "ip", "addr", "add", ip + "/24", "dev", "cha-n%d" % i)
            sh("ip", "netns", "exec", ns, "ip", "link", "set", "cha-n%d" % i, "up")
            sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")

    def teardown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        for p in self.procs:
            p.wait()
        for i in range(3):
            sh("ip", "link", "del", "cha-h%d" % i, check=False)
            sh("ip", "netns", "del", self.netns(i), check=False)
        sh("ip", "link", "del", BRIDGE, check=False)

    def spawn(self, args, log, netns=None):
        prefix = ["ip", "netns", "exec", netns] if netns else []
        p = subprocess.Popen(prefix + args, stdout=open(log, "ab"), stderr=subprocess.STDOUT)
        self.procs.append(p)
        return p

    def start_etcd(self):
        cluster = ",".join("%s=http://%s:2380" % (n, ip) for n, ip in self.members)
        for i, (name, ip) in enumerate(self.members):
            self.spawn([self.etcd, "--name", name, "--data-dir", "%s/%s" % (self.work, name),
                        "--listen-client-urls", "http://%s:2379" % ip, "--advertise-client-urls", "http://%s:2379" % ip,
                        "--listen-peer-urls", "http://%s:2380" % ip, "--initial-advertise-peer-urls", "http://%s:2380" % ip,
                        "--initial-cluster", cluster, "--initial-cluster-state", "new", "--initial-cluster-token", "concord-partitions",
                        "--heartbeat-interval", "100", "--election-timeout", "1000", "--log-level", "warn"],
                       "%s/%s.log" % (self.work, name), netns=self.netns(i))
        self.wait_leader(30)

    def endpoints(self, members=None):
        return ",".join("http://%s:2379" % self.members[i][1] for i in (members if members is not None else range(3)))

    def etcd_call(self, i, method, body, timeout=2):
        status, data = request(self.members[i][1], 2379, "POST", "/v3/" + method, json.dumps(body), timeout=timeout, auth=False)
        if status != 200:
            raise RuntimeError("etcd %s answered %d: %s" % (method, status, data[:200]))
        return json.loads(data)

    def leader(self):
        for i in range(3):
            try:
                s = self.etcd_call(i, "maintenance/status", {}, timeout=1)
            except Exception:
                continue
            if s.get("leader") and s["leader"] == s["header"]["member_id"]:
                return i
        return None

    def wait_leader(self, seconds):
        deadline = time.time() + seconds
        while time.time() < deadline:
            if self.leader() is not None:
                return
            time.sleep(0.05)
        raise RuntimeError("no etcd leader within %ds" % seconds)

    def revision(self, i, serializable):
        body = {"key": "AA==", "count_only": True, "serializable": serializable}
        return int(self.etcd_call(i, "kv/range", body)["header"]["revision"])

    def start_concord(self, name, endpoints, netns=None):
        port = 7000 + len(self.procs)
        self.spawn([self.concord, "server", "--data-dir", "%s/%s" % (self.work, name), "--port", str(port), "--token", TOKEN,
                    "--log-level", "warning", "--insecure-plain-http", "--storage", "etcd", "--etcd-endpoints", endpoints, "--etcd-compaction-interval", "0"],
                   "%s/%s.log" % (self.work, name), netns=netns)
        prefix = ["ip", "netns", "exec", netns] if netns else []
        sh(*(prefix + [sys.executable, __file__, "wait-ready", str(port), TOKEN, "60"]))
        return port


def main(rounds, seconds):
    work = subprocess.run(["mktemp", "-d", "/tmp/concord-partitions.XXXXXX"], stdout=subprocess.PIPE, text=True).stdout.strip()
    root = os.path.dirname(os.path.abspath(__file__))
    concord = os.environ.get("CONCORD_BIN") or os.path.join(root, "../../.build/debug/concord")
    etcd = subprocess.run(["sh", "-c", "command -v etcd"], stdout=subprocess.PIPE, text=True).stdout.strip()
    if not etcd:
        sys.exit("partitions: etcd is not installed; run hack/setup.sh (apt-get install etcd-server)")
    cluster = Cluster(work, concord, etcd)
    result = {"valid?": False}
    try:
        cluster.setup_network()
        cluster.start_etcd()
        outside = cluster.start_concord("outside", cluster.endpoints())
        inside = [cluster.start_concord("inside-%d" % i, cluster.endpoints([i]), netns=cluster.netns(i)) for i in range(3)]
        start_rv = json.loads(request("127.0.0.1", outside, "GET", CMS + "?limit=1")[1])["metadata"]["resourceVersion"]
        watch = Watch(outside, start_rv)
        watch.start()
        majority = History()
        stop = threading.Event()

        def write_majority():
            n = 0
            while not stop.is_set():
                n += 1
                majority.write("127.0.0.1", outside, "major-%d" % n, timeout=5)

        writer = threading.Thread(target=write_majority, daemon=True)
        writer.start()
        minority_counts = {"invoked": 0, "ok": 0, "failed": 0, "info": 0}
        minority_ok = {}
        rounds_out = []
        for r in range(rounds):
            cluster.wait_leader(30)
            leader = cluster.leader()
            victim = leader if r % 2 == 0 else (leader + 1) % 3
            time.sleep(1)
            before = majority.counts()["ok"]
            sh("ip", "link", "set", "cha-h%d" % victim, "down")
            cut = time.monotonic()
            out = sh("ip", "netns", "exec", cluster.netns(victim), sys.executable, __file__, "minority", str(inside[victim]), TOKEN,
                     str(seconds), "minor-r%d" % r).stdout
            during = majority.counts()["ok"] - before
            sh("ip", "link", "set", "cha-h%d" % victim, "up")
            healed = time.monotonic()
            m = json.loads(out)
            for k in minority_counts:
                minority_counts[k] += m["counts"][k]
            minority_ok.update(m["ok"])
            # The healed member catches up: its own (serializable) revision reaches the majority's.
            target = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if target is None:
                        target = cluster.revision((victim + 1) % 3, serializable=False)
                    if cluster.revision(victim, serializable=True) >= target:
                        break
                except Exception:
                    pass
                time.sleep(0.05)
            caught_up = time.monotonic() - healed
            rounds_out.append({"isolated": "m%d" % victim, "was-leader": victim == leader, "minority": m["counts"],
                               "majority-ok-during": during, "catch-up-s": round(caught_up, 2) if caught_up < 30 else None,
                               "partition-s": round(healed - cut, 1)})
            print("round %d: isolated m%d (%s) for %.1f s; minority %s; majority acknowledged %d meanwhile; caught up in %.2f s" % (
                r + 1, victim, "leader" if victim == leader else "follower", healed - cut, m["counts"], during, caught_up), flush=True)
        time.sleep(1)
        stop.set()
        writer.join()
        # Every acknowledged write is present at its resourceVersion.
        listed = json.loads(request("127.0.0.1", outside, "GET", CMS, timeout=30)[1])["items"]
        present = {i["metadata"]["name"]: i["metadata"]["resourceVersion"] for i in listed}
        acknowledged = dict(majority.ok)
        acknowledged.update(minority_ok)
        lost = sorted(n for n, rv in acknowledged.items() if present.get(n) != rv)
        # The watch sees every acknowledged write exactly once, in order.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(watch.seen.get(n) != rv for n, rv in acknowledged.items()):
            time.sleep(0.1)
        watch.stop.set()
        gaps = sorted(n for n, rv in acknowledged.items() if watch.seen.get(n) != rv)
        revisions = list(acknowledged.values())
        # A stale update still gets 409.
        name = next(iter(majority.ok))
        stale = json.loads(configmap(name))
        stale["metadata"]["resourceVersion"] = start_rv
        stale_status = request("127.0.0.1", outside, "PUT", CMS + "/" + name, json.dumps(stale))[0]
        result = {
            "valid?": not lost and not gaps and not watch.duplicates and watch.out_of_order == 0 and minority_counts["ok"] == 0
            and len(set(revisions)) == len(revisions) and stale_status == 409
            and all(x["catch-up-s"] is not None and x["majority-ok-during"] > 0 for x in rounds_out),
            "partitions": rounds,
            "majority": majority.counts(),
            "minority": minority_counts,
            "lost": len(lost),
            "watch": {"gaps": len(gaps), "duplicates": len(watch.duplicates), "out-of-order": watch.out_of_order, "resumes": watch.resumes,
                      "errors": watch.errors[:3]},
            "duplicate-revisions": len(revisions) - len(set(revisions)),
            "stale-update": stale_status,
            "rounds": rounds_out,
        }
    finally:
        cluster.teardown()
        subprocess.run(["rm", "-rf", work])
    print("concord partitions: " + json.dumps(result, indent=1))
    return 0 if result["valid?"] else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "wait-ready":
        wait_ready(*sys.argv[2:5])
    elif len(sys.argv) > 1 and sys.argv[1] == "minority":
        minority(*sys.argv[2:6])
    else:
        sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, float(os.environ.get("PARTITION_SECONDS", "15"))))
