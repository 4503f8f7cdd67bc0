import FederationAPI
import FederationCore
import Foundation

// `replication-plan-bench`: times Concord's replication planner (FederationCore.planReplication, no
// I/O) with OBJECTS source objects and TARGETS targets all in sync (for hack/bench/replication-plan.sh).
//
//   replication-plan-bench [--objects 100000] [--targets 10] [--runs 5] [--written 1000]   (several --objects/--targets pairs allowed)
//
// Besides full passes, it times passes fed the changes since the last (as the controller plans):
// with nothing changed, and with --written source objects written per pass.

let usage = "usage: replication-plan-bench [--objects N --targets N]... [--runs N] [--written N]"

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("replication-plan-bench: \(message) (\(usage))\n".utf8))
    exit(2)
}

var sizes: [(objects: Int, targets: Int)] = []
var runs = 5
var written = 1_000
var rest = CommandLine.arguments.dropFirst()
while let flag = rest.popFirst() {
    guard let text = rest.popFirst(), let value = Int(text), value >= 1 else { fail("\(flag) needs a whole number of at least 1") }
    switch flag {
    case "--objects": sizes.append((value, 10))
    case "--targets":
        guard !sizes.isEmpty else { fail("--targets follows an --objects") }
        sizes[sizes.count - 1].targets = value
    case "--runs": runs = value
    case "--written": written = value
    default: fail("unknown option \(flag)")
    }
}
if sizes.isEmpty { sizes = [(10_000, 3), (100_000, 10)] }
do {
    for size in sizes {
        let bench = ReplicationPlanBenchmark(objects: size.objects, targets: size.targets)
        for line in try bench.report(runs: runs) + bench.reportFed(runs: runs, written: written) { print(line) }
    }
} catch {
    fail("\(error)")
}
