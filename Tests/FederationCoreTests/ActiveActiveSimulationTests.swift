import FederationAPI
import FederationCore
import Foundation
import Testing

/// ActiveActive ServiceFailovers in the deterministic simulation: the real planner keeps every
/// ActiveActive invariant under every fault, deliberately broken planners are caught, and the
/// ActiveActive services leave the rest of a seed as it was.
struct ActiveActiveSimulationTests {
    static let config = SimulationConfig(datacenters: 5, activeActive: 3)
    static let bugs: [InjectedBug] = [.overcommitCapacity, .scaleDownFirst, .earlyRebalance]

    @Test func realPlannerKeepsEveryActiveActiveInvariantAndRedistributesForEveryReason() throws {
        var summary = SimulationSummary()
        for seed in UInt64(301)...340 { summary.add(Simulation.run(seed: seed, config: Self.config)) }
        #expect(summary.violations.map(\.seed) == [], "\(summary.violations.first?.violation.map { "\($0.invariant.rawValue): \($0.detail)" } ?? "")")
        let c = summary.services
        #expect(c.activeActive == 40 * 3)
        #expect(c.activeActivePasses == summary.steps * 3)
        #expect(summary.checks == summary.steps * Invariant.allCases.count)
        for reason in [ServiceFailover.Reason.datacenterUnreachable, ServiceFailover.Reason.rebalance, ServiceFailover.Reason.placementChanged] {
            #expect(c.redistributions[reason, default: 0] > 3, "too few \(reason) redistributions: \(c.redistributions)")
        }
        #expect(c.shortfalls > 3)
        #expect(c.rebalanceRequests > 5 && c.placementChanges > 5)
        #expect(try #require(c.activeActiveSettledAfter) <= Self.config.activeActiveSettleBound)
    }

    @Test(arguments: bugs)
    func brokenPlannerIsCaughtAndReplayable(_ bug: InjectedBug) throws {
        var caught: ScheduleResult?
        for seed in UInt64(1)...300 {
            let result = Simulation.run(seed: seed, config: Self.config, rules: bug.rules)
            if result.violation != nil {
                caught = result
                break
            }
        }
        let result = try #require(caught, "\(bug.rawValue) was never caught")
        let violation = try #require(result.violation)
        #expect(violation.invariant == bug.caughtAs, "\(violation.invariant.rawValue): \(violation.detail)")
        #expect(bug.brokenPart == "ActiveActive planner")
        #expect(Simulation.run(seed: result.seed, config: Self.config, rules: bug.rules) == result)
        #expect(Simulation.run(seed: result.seed, config: Self.config).violation == nil)
    }

    @Test func activeActiveServicesLeaveTheRestOfEverySeedAsItWas() {
        let without = SimulationConfig(datacenters: 5, activeActive: 0)
        for seed in UInt64(1)...10 {
            let with = Simulation.run(seed: seed, config: Self.config)
            let alone = Simulation.run(seed: seed, config: without)
            #expect(with.promotions == alone.promotions && with.decisions == alone.decisions && with.faults == alone.faults)
            #expect(with.services.passes == alone.services.passes && with.services.transitions == alone.services.transitions)
            #expect(alone.services.activeActive == 0 && alone.services.activeActivePasses == 0)
            #expect(alone.checks == alone.steps * (Invariant.promotionInvariants.count + Invariant.serviceInvariants.count))
        }
    }

    @Test func activeActiveAloneCountsTheSharedChecksAndReplays() {
        let alone = SimulationConfig(datacenters: 4, services: 0, activeActive: 2)
        let first = Simulation.run(seed: 9, config: alone)
        #expect(first == Simulation.run(seed: 9, config: alone))
        #expect(first.violation == nil)
        #expect(first.services.passes == 0 && first.services.activeActivePasses == first.steps * 2)
        #expect(first.checks == first.steps * Invariant.allCases.count - first.steps * (Invariant.serviceInvariants.count - 2))
        #expect(first.trace.lines.contains { $0.contains("web-1: ActiveActive") })
    }

    @Test func defaultsAndInvalidSettingsAreExplained() {
        #expect(SimulationConfig().activeActive == 1)
        #expect(SimulationConfig(services: 0).activeActive == 0)
        #expect(SimulationConfig(activeActive: -1).problem == "--active-active must be 0 (none) or more")
        #expect(SimulationConfig(activeActive: 101).problem == "--active-active must be at most 100")
        #expect(SimulationConfig(healSteps: 30, services: 0, activeActive: 1).problem == "the heal phase must be longer than the services' settle bound (35 steps)")
    }
}
