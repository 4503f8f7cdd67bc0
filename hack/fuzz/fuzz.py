#!/usr/bin/env python3
"""Fuzzes the hub of a running `concord up` with seeded mutations of valid Concord objects.

    hack/fuzz/fuzz.py --data-dir .concord --count 5000 --seed 7
    hack/fuzz/fuzz.py --kubeconfig hub.kubeconfig --controller-log controller.log

It POSTs, PUTs and PATCHes (merge, JSON patch, apply) mutated Datacenters, FederationPolicies,
ServiceFailovers and ReplicationRules: wrong types, out-of-range numbers, huge strings, control
characters, deep nesting, unknown fields, truncated and random bodies. Then it checks:

  - no response was a 5xx;
  - the hub answers and the controller process is alive (with --data-dir);
  - the real datacenters are still Ready;
  - every accepted object still stored has a status within --status-timeout seconds, or the
    controller logged a decode error naming it (kinds the controller does not reconcile at all are
    reported and left out: a valid control object of each kind tells which);
  - a good Datacenter applied afterwards becomes Ready (it reuses a real member's kubeconfig).

It prints the counts per response code and exits 1 when a check fails. Python 3 standard library
only. The kubeconfig is read the simple way Concord writes it: the first server, CA and token.
"""
import argparse
import base64
import collections
import http.client
import json
import os
import random
import re
import ssl
import sys
import time
import urllib.parse

GROUP = "federation.concord.dev"
VERSION = "v1alpha1"
KINDS = {
    "Datacenter": ("datacenters", False),
    "FederationPolicy": ("federationpolicies", False),
    "ServiceFailover": ("servicefailovers", True),
    "ReplicationRule": ("replicationrules", True),
}
NAMESPACE = "default"
DECODE_ERROR = "Skipped an object that cannot be decoded"
CONFLICT_PATTERNS = ("the object has been modified", "Conflict", " 409")


class Hub:
    """A tiny HTTPS client for the hub, from a kubeconfig."""

    def __init__(self, kubeconfig):
        text = open(kubeconfig, encoding="utf-8").read()
        server = re.search(r"^\s*server:\s*(\S+)", text, re.M)
        if not server:
            sys.exit(f"fuzz: no server in {kubeconfig}: pass the hub kubeconfig (--kubeconfig) or the up data dir (--data-dir)")
        url = urllib.parse.urlparse(server.group(1).strip("\"'"))
        self.host, self.port, self.tls = url.hostname, url.port or (443 if url.scheme == "https" else 80), url.scheme == "https"
        token = re.search(r"^\s*token:\s*(\S+)", text, re.M)
        self.token = token.group(1).strip("\"'") if token else None
        ca = re.search(r"^\s*certificate-authority-data:\s*(\S+)", text, re.M)
        self.context = None
        if self.tls:
            self.context = ssl.create_default_context()
            if ca:
                self.context.load_verify_locations(cadata=base64.b64decode(ca.group(1)).decode())
        self.connection = None

    def _connect(self):
        if self.tls:
            return http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=30)
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, method, path, body=None, content_type="application/json"):
        """Sends one request; returns (status, parsed JSON or None). Retries once on a dropped connection."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if body is not None:
            headers["Content-Type"] = content_type
            if isinstance(body, str):
                body = body.encode("utf-8", "surrogatepass")
        for attempt in range(2):
            try:
                if self.connection is None:
                    self.connection = self._connect()
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                try:
                    parsed = json.loads(data) if data else None
                except ValueError:
                    parsed = None
                return response.status, parsed
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = None
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")


def collection(kind):
    plural, namespaced = KINDS[kind]
    ns = f"/namespaces/{NAMESPACE}" if namespaced else ""
    return f"/apis/{GROUP}/{VERSION}{ns}/{plural}"


def seed(kind, name):
    """A valid object of `kind`."""
    meta = {"name": name, "labels": {"concord-fuzz": "true"}}
    if KINDS[kind][1]:
        meta["namespace"] = NAMESPACE
    spec = {
        "Datacenter": {
            "region": "fuzz-1", "zone": "fuzz-1a", "provider": "onprem", "mode": "Push", "priority": 10,
            "capacity": {"replicas": 20}, "unschedulable": False,
            "credentialsRef": {"namespace": "concord-system", "name": f"{name}-kubeconfig", "key": "kubeconfig"},
            "healthCheck": {"periodSeconds": 1, "timeoutSeconds": 1, "failureThreshold": 3, "successThreshold": 2},
        },
        "FederationPolicy": {
            # Selects no real datacenter: the fuzz must not move the federation's primary.
            "datacenterSelector": {"matchLabels": {"concord-fuzz-member": "none"}},
            "topology": "HubAndSpoke", "primary": "fuzz-nowhere",
            "promotion": {"mode": "Manual", "unreachableForSeconds": 30, "candidates": ["a", "b"], "requireQuorum": True},
            "failback": "Manual", "stabilizationSeconds": 120,
        },
        "ServiceFailover": {
            "service": "web", "workload": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "primary": "fuzz-nowhere", "failover": [{"datacenter": "fuzz-elsewhere", "replicas": 2}],
            "policy": {"mode": "Manual", "unhealthyForSeconds": 30, "minReadyReplicas": 1, "failback": "Manual", "stabilizationSeconds": 60},
            "migration": {"readinessTimeoutSeconds": 60},
        },
        "ReplicationRule": {
            "source": "primary", "targets": {"datacenterSelector": {"matchLabels": {"concord-fuzz-member": "none"}}},
            "resources": [{"apiVersion": "v1", "kind": "ConfigMap", "selector": {"matchLabels": {"app": "x"}}, "namePrefix": "x"}],
            "mode": "Periodic", "intervalSeconds": 30, "fullResyncSeconds": 600, "conflictResolution": "SourceWins", "deletion": "Orphan",
        },
    }[kind]
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": kind, "metadata": meta, "spec": spec}


NUMBERS = [2**63, 2**63 - 1, -(2**63) - 1, 2**64, 10**30, -1, 0, 2**31, 2**31 - 1, 1.5, 1e3, 1.0, -0.0, 1e308, 9.223372036854776e18]
STRINGS = ["", " ", "\u0000", "\u0007\u001b[31m", "\u202e", "a\nb", "ünïcødé", "x" * 300, "UPPER", "-leading", "a/b", "../..", "${jndi:x}"]


def leaves(value, path=()):
    """Every (path, value) in a JSON tree."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, path + (i,))


def set_at(tree, path, value):
    node = tree
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def deep(depth, rng):
    value = "bottom"
    for _ in range(depth):
        value = [value] if rng.random() < 0.5 else {"d": value}
    return value


def random_value(rng):
    choice = rng.randrange(8)
    if choice == 0:
        return rng.choice(NUMBERS)
    if choice == 1:
        return rng.choice(STRINGS)
    if choice == 2:
        return rng.choice([True, False, None])
    if choice == 3:
        return [rng.choice(NUMBERS), rng.choice(STRINGS)]
    if choice == 4:
        return {"unknown": rng.choice(STRINGS)}
    if choice == 5:
        return "z" * rng.choice([10_000, 300_000, 2_000_000])
    if choice == 6:
        return deep(rng.choice([20, 200, 2000]), rng)
    return "".join(chr(rng.randrange(0, 0x2FFF)) for _ in range(rng.randrange(1, 40)))


MUTATIONS = ["wrong-type", "number", "huge-string", "control-chars", "deep-nesting", "unknown-field", "drop-field", "metadata", "truncated", "random-bytes", "valid"]


def mutate(obj, rng):
    """Returns (mutation name, body text) for a mutated copy of `obj`."""
    kind = rng.choice(MUTATIONS)
    tree = json.loads(json.dumps(obj))
    paths = [p for p, _ in leaves(tree["spec"], ("spec",)) if p != ("spec",)]
    path = rng.choice(paths)
    if kind == "wrong-type":
        set_at(tree, path, random_value(rng))
    elif kind == "number":
        numeric = [p for p, v in leaves(tree["spec"], ("spec",)) if isinstance(v, (int, float)) and not isinstance(v, bool)]
        set_at(tree, rng.choice(numeric or [path]), rng.choice(NUMBERS))
    elif kind == "huge-string":
        set_at(tree, path, "h" * rng.choice([70_000, 1_100_000, 3_500_000]))
    elif kind == "control-chars":
        set_at(tree, path, "".join(chr(rng.randrange(0, 32)) for _ in range(8)) + "\ud800")
    elif kind == "deep-nesting":
        set_at(tree, path, deep(rng.choice([50, 500, 5000, 50_000]), rng))
    elif kind == "unknown-field":
        set_at(tree, path[:-1] + (f"fuzz{rng.randrange(1000)}",), random_value(rng)) if isinstance(path[-1], str) else tree["spec"].update(extra=random_value(rng))
    elif kind == "drop-field":
        parent = tree
        for p in path[:-1]:
            parent = parent[p]
        del parent[path[-1]]
    elif kind == "metadata":
        field = rng.choice(["name", "labels", "annotations", "generateName", "finalizers", "ownerReferences", "resourceVersion", "uid"])
        tree["metadata"][field] = random_value(rng)
    if kind == "truncated":
        text = json.dumps(tree)
        return kind, text[: rng.randrange(1, len(text))]
    if kind == "random-bytes":
        return kind, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
    try:
        return kind, json.dumps(tree, ensure_ascii=rng.random() < 0.5)
    except RecursionError:
        return kind, json.dumps(["too deep for Python's encoder"])


def status_of(obj):
    status = (obj or {}).get("status") or {}
    return bool(status.get("conditions") or status.get("phase") or status.get("observedGeneration"))


class Run:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.layout = None
        if args.data_dir:
            self.layout = json.load(open(os.path.join(args.data_dir, "up.json"), encoding="utf-8"))
            kubeconfig = self.layout["hub"]["kubeconfig"]
        else:
            kubeconfig = args.kubeconfig
        self.hub = Hub(kubeconfig)
        self.controller_log = args.controller_log or ((self.layout or {}).get("controller") or {}).get("log")
        self.codes = collections.Counter()
        self.by_mutation = collections.defaultdict(collections.Counter)
        self.five_hundreds = []
        self.accepted = {}  # (kind, name) -> True
        self.failures = []
        self.notes = []
        self.prefix = f"fuzz-{args.seed}-{int(time.time()) % 100000}"

    def fail(self, message):
        self.failures.append(message)
        print(f"FAIL {message}")

    def log_text(self):
        if not self.controller_log or not os.path.exists(self.controller_log):
            return ""
        return open(self.controller_log, encoding="utf-8", errors="replace").read()

    def count_conflicts(self):
        return sum(1 for line in self.log_text().splitlines() if "Reconciler error" in line and any(p in line for p in CONFLICT_PATTERNS))

    def conflicts_in_log(self, window):
        """409 conflict lines the controller logs during `window` seconds."""
        start = self.count_conflicts()
        time.sleep(window)
        return self.count_conflicts() - start

    def record(self, op, mutation, kind, name, code, body):
        self.codes[code] += 1
        self.by_mutation[f"{op}/{mutation}"][code] += 1
        if code >= 500:
            message = (body or {}).get("message", "") if isinstance(body, dict) else ""
            self.five_hundreds.append(f"{op} {kind}/{name} ({mutation}): {code} {message[:200]}")
        if 200 <= code < 300 and isinstance(body, dict) and body.get("metadata", {}).get("name"):
            self.accepted[(kind, body["metadata"]["name"])] = True

    def object_path(self, kind, name):
        return f"{collection(kind)}/{urllib.parse.quote(name, safe='')}"

    def one(self, i):
        rng = self.rng
        kind = rng.choice(list(KINDS))
        op = rng.choice(["POST", "POST", "PUT", "PATCH-merge", "PATCH-json", "PATCH-apply"])
        name = f"{self.prefix}-{i}"
        base = seed(kind, name)
        if op != "POST":
            # Mutate an object that exists: create a valid one first.
            code, created = self.hub.request("POST", collection(kind), json.dumps(base))
            self.record("POST", "valid", kind, name, code, created)
            if code >= 300:
                return
            # PUT sends the stored object back (resourceVersion and all); patches send what a user writes.
            base = created if op == "PUT" else base
        mutation, body = mutate(base, rng)
        if op == "POST":
            code, answer = self.hub.request("POST", collection(kind), body)
        elif op == "PUT":
            code, answer = self.hub.request("PUT", self.object_path(kind, name), body)
        elif op == "PATCH-merge":
            code, answer = self.hub.request("PATCH", self.object_path(kind, name), body, "application/merge-patch+json")
        elif op == "PATCH-json":
            ops = body
            if mutation not in ("truncated", "random-bytes"):
                tree = json.loads(body) if isinstance(body, str) else None
                if isinstance(tree, dict):
                    ops = json.dumps([{"op": "replace", "path": "/spec", "value": tree.get("spec")}, {"op": "add", "path": "/metadata/labels", "value": tree.get("metadata", {}).get("labels")}])
            code, answer = self.hub.request("PATCH", self.object_path(kind, name), ops, "application/json-patch+json")
        else:
            path = self.object_path(kind, name) + "?fieldManager=concord-fuzz&force=true"
            code, answer = self.hub.request("PATCH", path, body, "application/apply-patch+yaml")
        self.record(op, mutation, kind, name, code, answer)

    def control_kinds(self):
        """Kinds whose valid objects get a status from the controller (the others cannot be checked)."""
        created = []
        for kind in KINDS:
            name = f"{self.prefix}-control-{kind.lower()}"
            code, _ = self.hub.request("POST", collection(kind), json.dumps(seed(kind, name)))
            if code < 300:
                created.append((kind, name))
        deadline = time.time() + self.args.status_timeout
        reconciled = set()
        while time.time() < deadline and len(reconciled) < len(created):
            for kind, name in created:
                code, obj = self.hub.request("GET", self.object_path(kind, name))
                if code == 200 and status_of(obj):
                    reconciled.add(kind)
            time.sleep(0.5)
        for kind in KINDS:
            if kind not in reconciled:
                self.notes.append(f"{kind}: a valid object got no status within {self.args.status_timeout:g} s; no controller reconciles it, so its status is not checked")
        return reconciled

    def check_statuses(self, reconciled):
        pending = {k for k in self.accepted if k[0] in reconciled}
        deadline = time.time() + self.args.status_timeout
        while pending and time.time() < deadline:
            for kind, name in sorted(pending):
                code, obj = self.hub.request("GET", self.object_path(kind, name))
                if code == 404 or (code == 200 and status_of(obj)):
                    pending.discard((kind, name))
            if pending:
                time.sleep(0.5)
        log = self.log_text()
        without = []
        for kind, name in sorted(pending):
            if not any(DECODE_ERROR in line and name in line for line in log.splitlines()):
                without.append(f"{kind}/{name}")
        checked = sum(1 for k in self.accepted if k[0] in reconciled)
        print(f"accepted objects checked for a status: {checked}; without status or logged decode error: {len(without)}")
        if without:
            self.fail(f"{len(without)} accepted objects have no status within {self.args.status_timeout:g} s and no logged decode error: {without[:10]}")

    def check_alive(self):
        code, _ = self.hub.request("GET", "/readyz")
        if code != 200:
            self.fail(f"the hub's /readyz answered {code}")
        if self.layout:
            pids = [("hub", self.layout["hub"].get("pid")), ("controller", (self.layout.get("controller") or {}).get("pid"))]
            for role, pid in pids:
                if pid is None:
                    continue
                try:
                    os.kill(pid, 0)
                except OSError:
                    self.fail(f"the {role} (pid {pid}) is not running")

    def real_datacenters(self):
        return [d["name"] for d in (self.layout or {}).get("datacenters", [])] or self.args.datacenter

    def check_ready(self, names, timeout):
        deadline = time.time() + timeout
        pending = set(names)
        while pending and time.time() < deadline:
            for name in sorted(pending):
                code, obj = self.hub.request("GET", self.object_path("Datacenter", name))
                if code == 200 and ((obj or {}).get("status") or {}).get("phase") == "Ready":
                    pending.discard(name)
            if pending:
                time.sleep(0.5)
        return pending

    def good_datacenter(self):
        members = (self.layout or {}).get("datacenters", [])
        kubeconfig = self.args.member_kubeconfig or (members[0]["kubeconfig"] if members else None)
        if not kubeconfig:
            self.notes.append("no member kubeconfig (--member-kubeconfig or --data-dir): the good-Datacenter check was skipped")
            return
        name = f"{self.prefix}-good"
        secret = {
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": f"{name}-kubeconfig", "namespace": "concord-system"},
            "data": {"kubeconfig": base64.b64encode(open(kubeconfig, "rb").read()).decode()},
        }
        self.hub.request("POST", "/api/v1/namespaces/concord-system/secrets", json.dumps(secret))
        dc = seed("Datacenter", name)
        dc["spec"]["credentialsRef"]["name"] = f"{name}-kubeconfig"
        path = self.object_path("Datacenter", name) + "?fieldManager=concord-fuzz&force=true"
        code, _ = self.hub.request("PATCH", path, json.dumps(dc), "application/apply-patch+yaml")
        if code >= 300:
            self.fail(f"applying the good Datacenter {name} answered {code}")
        elif self.check_ready([name], 60):
            self.fail(f"the good Datacenter {name} applied after the run did not become Ready within 60 s")
        else:
            print(f"good Datacenter {name} applied after the run: Ready")

    def main(self):
        args = self.args
        if args.conflict_window > 0 and self.controller_log:
            print(f"idle 409 conflicts in the controller log over {args.conflict_window:g} s before the run: {self.conflicts_in_log(args.conflict_window)}")
        reconciled = self.control_kinds()
        started = time.time()
        for i in range(args.count):
            self.one(i)
            if args.progress and (i + 1) % args.progress == 0:
                print(f"... {i + 1}/{args.count} mutations, {time.time() - started:.0f} s", flush=True)
        print(f"{args.count} mutations in {time.time() - started:.1f} s (seed {args.seed})")
        print("responses per code: " + ", ".join(f"{n} x {code}" for code, n in sorted(self.codes.items())))
        if args.verbose:
            for key in sorted(self.by_mutation):
                print(f"  {key}: " + ", ".join(f"{n} x {c}" for c, n in sorted(self.by_mutation[key].items())))
        if self.five_hundreds:
            self.fail(f"{len(self.five_hundreds)} responses were 5xx: {self.five_hundreds[:10]}")
        self.check_alive()
        not_ready = self.check_ready(self.real_datacenters(), 30)
        if not_ready:
            self.fail(f"real datacenters not Ready after the run: {sorted(not_ready)}")
        self.check_statuses(reconciled)
        log = self.log_text()
        decode_errors = sum(1 for line in log.splitlines() if DECODE_ERROR in line)
        if self.controller_log:
            print(f"decode errors logged by the controller: {decode_errors}")
        self.good_datacenter()
        if args.conflict_window > 0 and self.controller_log:
            print(f"idle 409 conflicts in the controller log over {args.conflict_window:g} s after the run: {self.conflicts_in_log(args.conflict_window)}")
        for note in self.notes:
            print(f"note: {note}")
        if self.failures:
            print(f"{len(self.failures)} checks failed")
            return 1
        print("all checks passed")
        return 0


def parse(argv):
    p = argparse.ArgumentParser(description="Fuzz the hub of a running `concord up`.")
    p.add_argument("--seed", type=int, default=1, help="seed of the mutations (default 1)")
    p.add_argument("--count", type=int, default=1000, help="number of mutations (default 1000)")
    p.add_argument("--data-dir", help="the `concord up` data dir (reads up.json: hub kubeconfig, controller log and pid, members)")
    p.add_argument("--kubeconfig", help="the hub kubeconfig, when not using --data-dir")
    p.add_argument("--controller-log", help="the controller's log file (default: from up.json)")
    p.add_argument("--member-kubeconfig", help="a member's kubeconfig for the good-Datacenter check (default: the first of up.json)")
    p.add_argument("--datacenter", action="append", default=[], help="a real Datacenter that must stay Ready (default: those of up.json)")
    p.add_argument("--status-timeout", type=float, default=10, help="seconds an accepted object may take to get a status (default 10)")
    p.add_argument("--conflict-window", type=float, default=0, help="seconds to count idle 409 conflicts in the controller log before and after the run (default 0: off)")
    p.add_argument("--progress", type=int, default=0, help="print progress every N mutations")
    p.add_argument("--verbose", action="store_true", help="print the codes per operation and mutation")
    args = p.parse_args(argv)
    if not args.data_dir and not args.kubeconfig:
        p.error("pass --data-dir DIR (of `concord up`) or --kubeconfig FILE")
    return args


if __name__ == "__main__":
    sys.setrecursionlimit(10_000)
    sys.exit(Run(parse(sys.argv[1:])).main())
