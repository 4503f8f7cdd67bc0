import FederationAPI
import FederationCore
import Foundation
import Testing

/// ReplicationRules in the deterministic simulation: the real planners keep every replication
/// invariant under every kind of fault, schedules replay by seed, and broken planners are caught.
struct ReplicationSimulationTests {
    static let config = SimulationConfig(datacenters: 5)

    static func run(_ seeds: ClosedRange<UInt64>, _ config: SimulationConfig = config, rules: ReplicationSimulationRules = .standard) -> ReplicationCounts {
        var counts = ReplicationCounts()
        for seed in seeds { counts.add(ReplicationSimulation.run(seed: seed, config: config, rules: rules)) }
        return counts
    }

    @Test func realPlannersKeepEveryReplicationInvariantUnderEveryKindOfFault() throws {
        let counts = Self.run(1...80)
        #expect(counts.violations.map(\.seed) == [])
        #expect(counts.violations.first?.violation == nil, "\(counts.violations.first?.trace.tail(40).joined(separator: "\n") ?? "")")
        #expect(counts.schedules[.mesh, default: 0] > 25 && counts.schedules[.hubAndSpoke, default: 0] > 25)
        for kind in FaultKind.allCases { #expect(counts.faults[kind, default: 0] > 5, "too few \(kind.rawValue) faults") }
        #expect(counts.writes > 80 * 50 && counts.deletes > 80 * 3)
        #expect(counts.conflicts > 100, "people change the same object in two members, and replicas in targets")
        #expect(counts.residencyBlocks > 1000 && counts.failedWrites > 100)
        #expect(try #require(counts.maxSettledAfter) <= ReplicationSimulation.settleBound)
        // Every write is checked for residency, every replacement for silence; every step after the heal for convergence.
        #expect(counts.checks > counts.replicaWrites / 2)
    }

    @Test func tinyAndLargeFederationsKeepEveryReplicationInvariant() {
        for datacenters in [1, 2, 9] {
            let counts = Self.run(1...20, SimulationConfig(datacenters: datacenters))
            #expect(counts.violations.map(\.seed) == [], "\(datacenters) datacenters")
        }
    }

    @Test func theReplicationScheduleReplaysBySeed() {
        let first = ReplicationSimulation.run(seed: 11, config: Self.config)
        #expect(first == ReplicationSimulation.run(seed: 11, config: Self.config))
        #expect(first.trace.lines.count > 50)
        #expect(first != ReplicationSimulation.run(seed: 12, config: Self.config))
    }

    @Test(arguments: ReplicationBug.allCases)
    func brokenReplicationPlannerIsCaughtAndReplayableBySeed(_ bug: ReplicationBug) throws {
        var caught: ReplicationScheduleResult?
        for seed in UInt64(1)...200 {
            let result = ReplicationSimulation.run(seed: seed, config: Self.config, rules: bug.rules)
            if result.violation != nil {
                caught = result
                break
            }
        }
        let result = try #require(caught, "\(bug.rawValue) was never caught")
        let violation = try #require(result.violation)
        #expect(violation.invariant == bug.caughtAs)
        #expect(result.steps == violation.step + 1)
        #expect(ReplicationSimulation.run(seed: result.seed, config: Self.config, rules: bug.rules) == result)
        #expect(ReplicationSimulation.run(seed: result.seed, config: Self.config).violation == nil, "the same seed passes with the real planners")
    }
}
