import FederationAPI
import FederationCore
import Foundation
import Testing

/// The deterministic simulation: the real core keeps every invariant, schedules replay by seed,
/// and deliberately broken rules are caught.
struct SimulationTests {
    static let small = SimulationConfig(datacenters: 5)

    /// Runs `seeds` and returns their summary.
    static func run(_ seeds: ClosedRange<UInt64>, _ config: SimulationConfig, rules: SimulationRules = .standard) -> SimulationSummary {
        var summary = SimulationSummary()
        for seed in seeds { summary.add(Simulation.run(seed: seed, config: config, rules: rules)) }
        return summary
    }

    /// The first seed in `seeds` whose schedule breaks an invariant.
    static func firstViolation(_ seeds: ClosedRange<UInt64>, _ config: SimulationConfig, rules: SimulationRules) -> ScheduleResult? {
        for seed in seeds {
            let result = Simulation.run(seed: seed, config: config, rules: rules)
            if result.violation != nil { return result }
        }
        return nil
    }

    @Test func realCoreKeepsEveryInvariantUnderEveryKindOfFault() throws {
        let summary = Self.run(1...120, Self.small)
        #expect(summary.violations.map(\.seed) == [])
        #expect(summary.schedules == 120)
        #expect(summary.steps == 120 * Self.small.steps)
        #expect(summary.checks == summary.steps * Invariant.allCases.count)
        for kind in FaultKind.allCases { #expect(summary.faults[kind, default: 0] > 20, "too few \(kind.rawValue) faults") }
        for kind in OperationKind.allCases { #expect(summary.operations[kind, default: 0] > 5, "too few \(kind.rawValue) actions") }
        #expect(summary.promotions > 120)
        #expect(try #require(summary.maxSettledAfter) <= Self.small.convergenceBound)
    }

    @Test func tenDatacentersKeepEveryInvariant() {
        let summary = Self.run(1...25, SimulationConfig(datacenters: 10))
        #expect(summary.violations.map(\.seed) == [])
        #expect(summary.promotions > 25)
    }

    @Test(arguments: [1, 2, 3])
    func tinyFederationsKeepEveryInvariant(_ datacenters: Int) {
        let summary = Self.run(1...40, SimulationConfig(datacenters: datacenters))
        #expect(summary.violations.map(\.seed) == [])
    }

    @Test func sameSeedReplaysTheSameScheduleAndTrace() {
        let first = Simulation.run(seed: 42, config: Self.small)
        let second = Simulation.run(seed: 42, config: Self.small)
        #expect(first == second)
        #expect(first.trace.lines.count > 10)
    }

    @Test func differentSeedsDrawDifferentSchedules() {
        let traces = Set((1...10).map { Simulation.run(seed: $0, config: Self.small).trace.lines })
        #expect(traces.count == 10)
    }

    @Test func randomNumbersAreFixedBySeed() {
        var a = SimulationRandom(seed: 7), b = SimulationRandom(seed: 7), c = SimulationRandom(seed: 8)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        var r = SimulationRandom(seed: 1)
        let draws = (0..<10_000).map { _ in r.int(in: 3...5) }
        #expect(Set(draws) == [3, 4, 5])
        #expect(draws.filter { $0 == 4 }.count > 3000)
    }

    // MARK: Deliberately broken rules

    /// Promotes without raising the epoch: the new primary shares the old one's epoch.
    static let reusesTheEpoch = SimulationRules(promotion: { inputs in
        switch planPromotion(inputs) {
        case .promote(let from, let to, let epoch, let reason): .promote(from: from, to: to, epoch: max(1, epoch - 1), reason: reason)
        case .handover(let from, let to, let epoch, let reason): .handover(from: from, to: to, epoch: epoch - 1, reason: reason)
        case let other: other
        }
    })

    /// No fencing token at all: the epoch is reused and every differing marker is overwritten.
    static let withoutFencingToken = SimulationRules(
        promotion: reusesTheEpoch.promotion,
        fencing: { policy, primary, epoch, markers in
            let target = FencingMarker(policy: policy, primary: primary, epoch: epoch)
            let writes = markers.filter { $0.marker != target }.sorted { ($0.datacenter != primary ? 1 : 0, $0.datacenter) < ($1.datacenter != primary ? 1 : 0, $1.datacenter) }
                .map { MarkerWrite(datacenter: $0.datacenter, marker: target, precondition: .resourceVersion($0.resourceVersion ?? ""), role: .secondary) }
            return FencingPlan(writes: writes)
        })

    /// Promotes as if the hub always reached every member.
    static let ignoresQuorum = SimulationRules(promotion: { inputs in
        var inputs = inputs
        inputs.quorum = QuorumView(members: inputs.quorum.members, reachable: inputs.quorum.members)
        return planPromotion(inputs)
    })

    /// Demotes the former primary before the new one holds the epoch.
    static let demotesBeforePromoting = SimulationRules(fencing: { policy, primary, epoch, markers in
        let plan = Fencing.plan(policy: policy, primary: primary, epoch: epoch, markers: markers)
        return FencingPlan(writes: plan.writes.filter { $0.datacenter != primary } + plan.writes.filter { $0.datacenter == primary })
    })

    struct BrokenRule: Sendable, CustomTestStringConvertible {
        let name: String
        let rules: SimulationRules
        let caughtAs: Invariant
        var testDescription: String { name }
    }

    @Test(arguments: [
        BrokenRule(name: "promotion reuses the epoch → the markers contradict the policy (split brain)", rules: reusesTheEpoch, caughtAs: .noSplitBrain),
        BrokenRule(name: "no fencing token (epoch reused, markers overwritten) → two primaries in one epoch", rules: withoutFencingToken,
                   caughtAs: .onePrimaryPerEpoch),
        BrokenRule(name: "promotion ignores quorum → promotion without quorum", rules: ignoresQuorum, caughtAs: .quorumForPromotion),
        BrokenRule(name: "fencing demotes the old primary first → a moment without primary", rules: demotesBeforePromoting,
                   caughtAs: .noGapWithoutFaults),
    ])
    func brokenRuleIsCaughtAndReplayableBySeed(_ broken: BrokenRule) throws {
        let caught = try #require(Self.firstViolation(1...300, Self.small, rules: broken.rules))
        let violation = try #require(caught.violation)
        #expect(violation.invariant == broken.caughtAs)
        #expect(caught.trace.lines.last?.contains("VIOLATION \(broken.caughtAs.rawValue)") == true)
        let replay = Simulation.run(seed: caught.seed, config: Self.small, rules: broken.rules)
        #expect(replay == caught)
        #expect(Simulation.run(seed: caught.seed, config: Self.small).violation == nil)
    }

    @Test func invalidConfigurationsAreExplained() {
        #expect(SimulationConfig(datacenters: 0).problem == "--datacenters must be at least 1")
        #expect(SimulationConfig(steps: 40).problem == "--steps must be more than 40 (the fault-free tail)")
        #expect(SimulationConfig().problem == nil)
    }
}
