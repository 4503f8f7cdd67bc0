"""Updates concord's linker symbol-ordering file from page traces (used by hack/bench/member-order.sh).

    python3 member-order.py BINARY TRACE_DIR UP_JSON ORDER [LINK_MAP]

TRACE_DIR holds PID.trace files from hack/bench/pagetrace.c: for each code page a process ran, the
address at which it first ran it. The function (or, with BINARY's link map, the input section) at
that address surely ran; ORDER keeps every such name found by earlier rounds and adds the new ones,
the members' first, then the hub's and the controller's. After a line `# nearby` follow the other
functions on the members' pages, which may have run too: the linker places them next, before code
nobody ran. The linker places whole input sections: one function each where the compiler emitted
function sections (Concord's targets), one object file's code elsewhere; with the link map ORDER
names one symbol per section (lld -Map with --no-demangle), without it every function by `nm`.
"""
import bisect
import json
import os
import subprocess
import sys

NEARBY = "# nearby"


def code_ranges(binary, link_map):
    """(start, size, name) of every function of `binary`, or of every .text input section in `link_map`."""
    ranges = []
    if link_map:
        # lld's map: VMA, LMA, size, alignment in fixed columns, then an output section, an input
        # section (indented 8) or a symbol (indented 16). Each .text input section and its first symbol.
        in_text, current = False, None
        with open(link_map) as f:
            for line in f:
                what = line[49:].rstrip("\n")
                indent = len(what) - len(what.lstrip(" "))
                if indent == 0:
                    in_text = what == ".text"
                elif in_text and indent == 8:
                    current = [int(line[:16], 16), int(line[34:42], 16), None]
                    ranges.append(current)
                elif in_text and indent == 16 and current[2] is None:
                    current[2] = what.strip()
    else:
        nm = subprocess.run(["nm", "-S", "--defined-only", binary], capture_output=True, text=True, check=True)
        for line in nm.stdout.splitlines():
            fields = line.split()
            if len(fields) == 4 and fields[2] in "tTwW":
                ranges.append([int(fields[0], 16), int(fields[1], 16), fields[3]])
    return sorted(tuple(r) for r in ranges if r[2] and r[1] > 0)


def main():
    binary, trace_dir, up_json, order_path = sys.argv[1:5]
    ranges = code_ranges(binary, sys.argv[5] if len(sys.argv) > 5 else None)
    starts = [r[0] for r in ranges]

    def containing(address):
        i = bisect.bisect_right(starts, address) - 1
        return [ranges[i][2]] if i >= 0 and address < ranges[i][0] + ranges[i][1] else []

    def on_page(page):
        found, i = [], bisect.bisect_right(starts, page + 4095) - 1
        while i >= 0 and ranges[i][0] + ranges[i][1] > page:
            found.append(ranges[i])
            i -= 1
        return [name for _, _, name in sorted(found)]

    def first_runs(pid):
        path = os.path.join(trace_dir, "%d.trace" % pid)
        if pid is None or not os.path.exists(path):
            return []
        with open(path) as f:
            return [int(line, 16) for line in f if line.strip()]

    with open(up_json) as f:
        layout = json.load(f)
    members = [m["pid"] for m in layout["datacenters"]]
    others = [layout["hub"]["pid"], (layout.get("controller") or {}).get("pid")]

    ran = {}
    if os.path.exists(order_path):
        with open(order_path) as f:
            for line in f:
                if line.strip() == NEARBY:
                    break
                if line.strip():
                    ran.setdefault(line.strip(), len(ran))
    known = len(ran)
    member_pages, pages = set(), set()
    for index, pid in enumerate(members + others):
        for address in first_runs(pid):
            pages.add(address & ~4095)
            if index < len(members):
                member_pages.add(address & ~4095)
            for name in containing(address):
                ran.setdefault(name, len(ran))
    if not member_pages:
        sys.exit("member-order: no member traces in %s; was pagetrace.so loaded?" % trace_dir)
    nearby = {}
    for page in sorted(member_pages):
        for name in on_page(page):
            if name not in ran:
                nearby.setdefault(name, len(nearby))
    with open(order_path, "w") as f:
        f.writelines(name + "\n" for name in sorted(ran, key=ran.get))
        f.write(NEARBY + "\n")
        f.writelines(name + "\n" for name in sorted(nearby, key=nearby.get))
    print("member-order: members ran %d code pages (%.1f MiB), hub and controller %d more; %d names known to run (%d new), %d nearby" % (
        len(member_pages), len(member_pages) * 4 / 1024, len(pages - member_pages), len(ran), len(ran) - known, len(nearby)))


main()
