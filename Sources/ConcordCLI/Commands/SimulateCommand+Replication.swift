import ArgumentParser
import FederationAPI
import FederationCore
import Foundation

extension ReplicationBug: ExpressibleByArgument {}

extension SimulateCommand {
    var replicationRules: ReplicationSimulationRules { replicationBug?.rules ?? .standard }

    /// Runs the replication schedule of every seed (or of `--seed`) on `workers` child tasks.
    func runReplication(workers: Int) async -> ReplicationCounts {
        let seeds = seed.map { [$0] } ?? (1...UInt64(self.seeds)).map { $0 }
        let config = config, rules = replicationRules, parallel = max(1, min(workers, seeds.count))
        return await withTaskGroup(of: ReplicationCounts.self) { group in
            for worker in 0..<parallel {
                group.addTask {
                    var counts = ReplicationCounts()
                    for index in stride(from: worker, to: seeds.count, by: parallel) {
                        counts.add(ReplicationSimulation.run(seed: seeds[index], config: config, rules: rules))
                    }
                    return counts
                }
            }
            var total = ReplicationCounts()
            for await part in group { total.merge(part) }
            return total
        }
    }

    /// The replication lines of the summary.
    func replicationReport(_ c: ReplicationCounts) -> String {
        let faults = c.faults.keys.sorted().map { "\($0.rawValue) \(c.faults[$0] ?? 0)" }.joined(separator: ", ")
        let settle = c.maxSettledAfter.map { "\($0) s" } ?? "n/a"
        return """
              replication\(replicationBug.map { " (with injected bug \($0.rawValue))" } ?? ""): \(c.totalSchedules) schedules (HubAndSpoke \(c.schedules[.hubAndSpoke] ?? 0), Mesh \(c.schedules[.mesh] ?? 0)), \(c.checks) checks
              replication faults:    \(faults)
              people's writes:       \(c.writes) writes, \(c.deletes) deletions; replica writes \(c.replicaWrites) (\(c.failedWrites) failed)
              conflicts reported:    \(c.conflicts); copies kept out by residency: \(c.residencyBlocks)
              max time to converged replicas after heal: \(settle) (bound \(ReplicationSimulation.settleBound) s)
              replication violations: \(c.violations.count)
            """
    }

    func replicationViolationReport(_ result: ReplicationScheduleResult, _ violation: ReplicationViolation) -> String {
        let lines = result.trace.tail(Self.traceLines)
        var out = "\nVIOLATION \(violation.invariant.rawValue) in replication seed \(result.seed) (\(result.topology.rawValue)) at t=\(violation.step): \(violation.detail)\n"
        out += "trace (last \(lines.count) lines):\n" + lines.map { "  \($0)" }.joined(separator: "\n")
        out += "\nreplay: concord simulate --datacenters \(datacenters) --steps \(steps) --seed \(result.seed)"
        if let replicationBug { out += " --inject-replication-bug \(replicationBug.rawValue)" }
        return out
    }
}
