import FederationAPI
import FederationCore
import Foundation
import Testing

/// ServiceFailovers in the deterministic simulation: the real planner keeps the service
/// invariants under every fault, and services leave the promotion part of a seed untouched. (The
/// broken service planners and executor are caught with the other injected bugs, in SimulationTests.)
struct ServiceSimulationTests {
    static let config = SimulationConfig(datacenters: 5)

    @Test func realPlannerKeepsEveryServiceInvariantAndCoversEveryKindOfMove() throws {
        var summary = SimulationSummary()
        for seed in UInt64(201)...230 { summary.add(Simulation.run(seed: seed, config: Self.config)) }
        #expect(summary.violations.map(\.seed) == [])
        let services = summary.services
        #expect(services.services == 30 * Self.config.services)
        #expect(services.passes == summary.steps * Self.config.services)
        #expect(summary.checks == summary.steps * Invariant.allCases.count)
        for reason in [
            ServiceFailover.Reason.datacenterUnreachable, ServiceFailover.Reason.replicasUnavailable, ServiceFailover.Reason.failback,
            ServiceFailover.Reason.plannedMigration,
        ] {
            #expect(services.transitions[reason, default: 0] > 3, "too few \(reason) transitions")
        }
        #expect(services.blocked > 3)
        #expect(services.degraded > 0)
        #expect(services.failedEffects > 20 && services.lostStatusWrites > 5)
        #expect(services.workloadFailures > 20 && services.failbackRequests > 10 && services.primaryChanges > 10)
        #expect(try #require(services.maxSettledAfter) <= Self.config.serviceSettleBound)
    }

    @Test func servicesLeaveThePromotionPartOfEverySeedAsItWas() {
        let alone = SimulationConfig(datacenters: 5, services: 0)
        for seed in UInt64(1)...10 {
            let with = Simulation.run(seed: seed, config: Self.config)
            let without = Simulation.run(seed: seed, config: alone)
            #expect(with.promotions == without.promotions && with.decisions == without.decisions && with.faults == without.faults)
            #expect(without.services == ServiceCounts())
            #expect(without.checks == without.steps * Invariant.promotionInvariants.count)
        }
    }

    @Test func theServiceScheduleReplaysBySeed() {
        let first = Simulation.run(seed: 7, config: SimulationConfig(datacenters: 4, services: 5))
        let second = Simulation.run(seed: 7, config: SimulationConfig(datacenters: 4, services: 5))
        #expect(first == second)
        #expect(first.services.passes == first.steps * 5)
        #expect(first.trace.lines.contains { $0.contains("svc-4: primary") })
    }

    @Test func invalidServiceSettingsAreExplained() {
        #expect(SimulationConfig(services: -1).problem == "--services must be 0 (none) or more")
        #expect(SimulationConfig(healSteps: 30, services: 1).problem == "the heal phase must be longer than the services' settle bound (35 steps)")
        #expect(SimulationConfig(healSteps: 30, services: 0).problem == nil)
    }
}
