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

    @Test(arguments: InjectedBug.allCases)
    func brokenRuleIsCaughtAndReplayableBySeed(_ bug: InjectedBug) throws {
        let caught = try #require(Self.firstViolation(1...300, Self.small, rules: bug.rules))
        let violation = try #require(caught.violation)
        #expect(violation.invariant == bug.caughtAs)
        #expect(caught.trace.lines.last?.contains("VIOLATION \(bug.caughtAs.rawValue)") == true)
        let replay = Simulation.run(seed: caught.seed, config: Self.small, rules: bug.rules)
        #expect(replay == caught)
        #expect(Simulation.run(seed: caught.seed, config: Self.small).violation == nil)
    }

    @Test func everyInjectedBugIsCaughtWithTenDatacentersToo() {
        for bug in InjectedBug.allCases {
            let caught = Self.firstViolation(1...300, SimulationConfig(datacenters: 10), rules: bug.rules)
            #expect(caught?.violation?.invariant == bug.caughtAs, "\(bug.rawValue)")
        }
    }

    @Test func invalidConfigurationsAreExplained() {
        #expect(SimulationConfig(datacenters: 0).problem == "--datacenters must be at least 1")
        #expect(SimulationConfig(steps: 60).problem == "--steps must be more than 60 (the fault-free tail)")
        #expect(SimulationConfig(healSteps: 45).problem == "the heal phase must be longer than the ActiveActive services' settle bound (50 steps)")
        #expect(SimulationConfig().problem == nil)
    }
}
