import FederationAPI
import FederationCore
import Foundation
import Testing

/// The history of an ActiveActive service: its first placement is an entry like any redistribution,
/// and a redistribution the next one overtakes before it settled is listed, not lost.
struct ActiveActiveHistoryTests {
    typealias T = ActiveActivePlanTests

    /// The events a plan records, by reason.
    static func events(_ plan: ServicePlan) -> [String] {
        plan.effects.compactMap { if case .event(_, let reason, _) = $0 { reason } else { nil } }
    }

    @Test func theFirstPlacementIsAHistoryEntryOnceItSettles() {
        let first = planActiveActive(T.input(status: nil, sites: T.names.map { T.ready($0, 0) }, desired: ["us-east": 0, "us-west": 0, "eu-central": 0], now: 0))
        #expect(first.status.lastTransition?.reason == ServiceFailover.Reason.initialPlacement)
        #expect(first.status.lastTransition?.from == "none")
        #expect(first.status.lastTransition?.to == "eu-central=3,us-east=6,us-west=3")
        #expect(first.status.lastTransition?.completedAt == nil)
        #expect(Self.events(first) == ["InitialPlacementStarted"])
        let placed = ["us-east": 6, "us-west": 3, "eu-central": 3]
        let settled = planActiveActive(T.input(status: first.status, sites: T.names.map { T.ready($0, placed[$0]!) }, desired: placed, now: 2))
        #expect(settled.status.phase == .active)
        #expect(settled.status.history.map(\.reason) == [ServiceFailover.Reason.initialPlacement])
        #expect(settled.status.history.first?.durationSeconds == 2)
        #expect(Self.events(settled) == ["InitialPlacementCompleted"])
    }

    @Test func aRedistributionOvertakenBeforeItSettledIsListedAsItStood() {
        let settled = T.settled()
        let placed = ["us-east": 6, "us-west": 3, "eu-central": 3]
        // us-east has room for 4: the others scale up to 4 each, and are not ready at 4 yet...
        let shrinking = planActiveActive(T.input(
            status: settled, sites: [T.ready("us-east", 6, capacity: 4), T.ready("us-west", 3), T.ready("eu-central", 3)], desired: placed, now: 10))
        #expect(T.scales(shrinking) == ["us-west": 4, "eu-central": 4])
        #expect(shrinking.status.lastTransition?.to == "eu-central=4,us-east=4,us-west=4")
        // ...when it has room for 2 only: the division changes again before the first move settled.
        let again = planActiveActive(T.input(
            status: shrinking.status, sites: [T.ready("us-east", 6, capacity: 2), T.ready("us-west", 3), T.ready("eu-central", 3)],
            desired: ["us-east": 6, "us-west": 4, "eu-central": 4], now: 13))
        // 14 run for a total of 12 and the 4s are not ready: nothing gives back yet, and nothing more scales up.
        #expect(T.scales(again).isEmpty)
        let overtaken = again.status.history.first
        #expect(overtaken?.reason == ServiceFailover.Reason.capacityChanged)
        #expect(overtaken?.from == "eu-central=3,us-east=6,us-west=3")
        #expect(overtaken?.to == "eu-central=4,us-east=4,us-west=4")
        #expect(overtaken?.durationSeconds == 3)
        #expect(again.status.history.count == settled.history.count + 1)
        #expect(again.status.lastTransition?.from == "eu-central=4,us-east=4,us-west=4")
        #expect(again.status.lastTransition?.to == "eu-central=5,us-east=2,us-west=5")
        #expect(again.status.lastTransition?.completedAt == nil)
        #expect(Self.events(again) == ["CapacityChangedSuperseded", "CapacityChangedStarted"])
    }
}
