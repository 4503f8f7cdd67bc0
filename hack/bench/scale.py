#!/usr/bin/env python3
"""Measures a running `concord up --datacenters N` (used by hack/bench/scale.sh).

  scale.py measure DIR N UP_PID STARTED IDLE_SECONDS

DIR is concord up's --data-dir, UP_PID its pid and STARTED the wall-clock time (seconds since the
epoch) it was started at. Prints, as `name: value` lines:
  - the time from STARTED until every Datacenter is Ready (polling `kubectl get dc`), and until
    concord up printed its table (FederationPolicy elected);
  - RSS and PSS (from /proc/PID/smaps_rollup) and threads per member control plane, and the hub's
    and the controller's;
  - the CPU (user + system, from /proc/PID/stat) of the hub, the controller and the members over
    IDLE_SECONDS of idling, in % of one core;
  - the detection time of a `kill -9` of one member: from the kill until a running
    `kubectl get dc NAME -w` shows Unreachable.

  scale.py stop UP_PID DIR

Sends SIGINT to concord up and prints how long it and every child it started took to be gone.
"""
import json
import os
import signal
import statistics
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def kubectl(kubeconfig, *args, timeout=30):
    return subprocess.run(
        ["kubectl", "--kubeconfig", kubeconfig, *args], capture_output=True, text=True, timeout=timeout)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(") ", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def up_log(directory):
    try:
        with open(os.path.join(directory, "up.log")) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().split(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def memory(pid):
    """(RSS MiB, PSS MiB, threads, anonymous MiB).

    RSS counts every page mapped, including the pages of the concord binary and the Swift libraries
    that all members share; PSS divides each shared page among the processes that map it, so the sum
    of the members' PSS is the memory the members take together; anonymous memory is the heap and
    stacks, which no other process shares."""
    values = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Rss", "Pss", "Anonymous"):
                values[key] = int(value.split()[0]) / 1024
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                values["Threads"] = int(line.split()[1])
    return values["Rss"], values["Pss"], values["Threads"], values["Anonymous"]


def summary(values, unit):
    values = sorted(values)
    return "mean %.1f %s, median %.1f, min %.1f, max %.1f (n=%d)" % (
        statistics.mean(values), unit, statistics.median(values), values[0], values[-1], len(values))


def wait_all_ready(directory, kubeconfig, n, up_pid, started, deadline_seconds=600):
    while True:
        if not alive(up_pid):
            sys.exit("concord up exited:\n" + up_log(directory))
        if os.path.exists(kubeconfig):
            out = kubectl(kubeconfig, "get", "dc", "-o", "jsonpath={range .items[*]}{.status.phase}{\"\\n\"}{end}")
            ready = out.stdout.split().count("Ready") if out.returncode == 0 else 0
            if ready == n:
                return time.time() - started
        if time.time() - started > deadline_seconds:
            sys.exit("not every Datacenter became Ready within %d s:\n%s" % (deadline_seconds, up_log(directory)))
        time.sleep(0.5)


def wait_for_line(directory, text, up_pid, deadline):
    while text not in up_log(directory):
        if not alive(up_pid):
            sys.exit("concord up exited:\n" + up_log(directory))
        if time.time() > deadline:
            sys.exit("concord up never printed %r:\n%s" % (text, up_log(directory)))
        time.sleep(0.2)
    return time.time()


def detection(directory, kubeconfig, victim):
    log_path = os.path.join(directory, "watch-%s.log" % victim["name"])
    with open(log_path, "w") as log:
        watch = subprocess.Popen(
            ["kubectl", "--kubeconfig", kubeconfig, "get", "dc", victim["name"], "-w", "-o", "jsonpath={.status.phase}{\"\\n\"}"],
            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 30
        while "Ready" not in open(log_path).read():
            if time.time() > deadline:
                sys.exit("the watch on %s never showed Ready" % victim["name"])
            time.sleep(0.05)
        killed = time.monotonic()
        os.kill(victim["pid"], signal.SIGKILL)
        while "Unreachable" not in open(log_path).read():
            if time.monotonic() - killed > 60:
                sys.exit("%s was not Unreachable within 60 s" % victim["name"])
            time.sleep(0.01)
        return time.monotonic() - killed
    finally:
        watch.kill()
        watch.wait()


def measure(directory, n, up_pid, started, idle_seconds):
    n, up_pid, started, idle_seconds = int(n), int(up_pid), float(started), float(idle_seconds)
    kubeconfig = os.path.join(directory, "hub.kubeconfig")
    ready = wait_all_ready(directory, kubeconfig, n, up_pid, started)
    print("datacenters: %d" % n)
    print("all Ready after: %.1f s (from starting concord up)" % ready)
    table = wait_for_line(directory, "Press Ctrl-C", up_pid, started + 600)
    print("concord up finished starting after: %.1f s (FederationPolicy global elected)" % (table - started))
    with open(os.path.join(directory, "up.json")) as f:
        layout = json.load(f)
    members = [m["pid"] for m in layout["datacenters"]]
    hub, controller = layout["hub"]["pid"], layout["controller"]["pid"]

    time.sleep(5)  # let start-up work settle before idling
    pids = [hub, controller] + members
    before = {pid: cpu_seconds(pid) for pid in pids}
    t0 = time.monotonic()
    time.sleep(idle_seconds)
    elapsed = time.monotonic() - t0
    percent = {pid: 100 * (cpu_seconds(pid) - before[pid]) / elapsed for pid in pids}
    print("idle CPU over %.0f s (%% of one core): hub %.1f %%, controller %.1f %%, members %s, all members together %.1f %%" % (
        elapsed, percent[hub], percent[controller], summary([percent[p] for p in members], "%"), sum(percent[p] for p in members)))

    mem = [memory(pid) for pid in members]
    print("member control plane RSS: %s" % summary([m[0] for m in mem], "MiB"))
    print("member control plane PSS: %s" % summary([m[1] for m in mem], "MiB"))
    print("member control plane anonymous (heap, stacks): %s" % summary([m[3] for m in mem], "MiB"))
    print("all %d members together (sum of PSS): %.0f MiB, %.1f MiB per member" % (
        len(mem), sum(m[1] for m in mem), sum(m[1] for m in mem) / max(1, len(mem))))
    print("member control plane threads: %s" % summary([m[2] for m in mem], ""))
    for name, pid in (("hub", hub), ("controller", controller)):
        rss, pss, threads, anonymous = memory(pid)
        print("%s: RSS %.1f MiB, PSS %.1f MiB, anonymous %.1f MiB, %d threads" % (name, rss, pss, anonymous, threads))

    victim = layout["datacenters"][len(layout["datacenters"]) // 2]
    print("kill -9 of %s detected (Unreachable) after: %.2f s" % (victim["name"], detection(directory, kubeconfig, victim)))


def stop(up_pid, directory):
    up_pid = int(up_pid)
    with open(os.path.join(directory, "up.json")) as f:
        layout = json.load(f)
    children = [layout["hub"]["pid"], layout["controller"]["pid"]] + [m["pid"] for m in layout["datacenters"]]
    start = time.monotonic()
    os.kill(up_pid, signal.SIGINT)
    while alive(up_pid) or any(alive(p) for p in children):
        if time.monotonic() - start > 60:
            sys.exit("still running 60 s after Ctrl-C: %s" % [p for p in [up_pid] + children if alive(p)])
        time.sleep(0.01)
    print("Ctrl-C: concord up and all %d children gone after %.2f s" % (len(children), time.monotonic() - start))


if __name__ == "__main__":
    commands = {"measure": measure, "stop": stop}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](*sys.argv[2:])
