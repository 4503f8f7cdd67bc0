import FederationAPI
import FederationCore
import Foundation
import Testing

/// `planService` judges every move by what it asks of the target: planned moves must fit too, fit
/// is checked for the replicas the move scales to, and the active site is judged by the bar a
/// failover to it cleared.
struct ServicePlanFitTests {
    typealias Plans = ServicePlanTests

    struct PlannedCase: Sendable, CustomTestStringConvertible {
        var name: String
        var target: SiteHealth
        var blockedBecause: String?
        var testDescription: String { name }
    }

    static let plannedCases: [PlannedCase] = [
        PlannedCase(name: "a Ready target with room migrates", target: Plans.ready("eu-central", replicas: 0), blockedBecause: nil),
        PlannedCase(name: "a cordoned target waits", target: Plans.ready("eu-central", replicas: 0, cordoned: true), blockedBecause: "eu-central: cordoned"),
        PlannedCase(
            name: "a full target waits",
            target: SiteHealth(name: "eu-central", phase: .ready, readySince: Plans.at(-1000), readyReplicas: 0, capacityReplicas: 5, placedReplicas: 3),
            blockedBecause: "eu-central: needs 4 replicas, 2 of capacity 5 free"),
        PlannedCase(name: "an unreachable target waits", target: Plans.lost("eu-central", since: 0), blockedBecause: "eu-central: Unreachable"),
    ]

    @Test(arguments: plannedCases) func aMigrationStartsOnlyWhereItFits(_ c: PlannedCase) throws {
        let moved = Plans.spec(primary: "eu-central")
        let sites = [Plans.ready("us-east", replicas: 4), Plans.ready("us-west", replicas: 0), c.target]
        let active = ServiceFailoverStatus(activeDatacenter: "us-east", phase: .active)
        let plan = planService(Plans.input(moved, status: active, sites: sites, desired: ["us-east": 4, "us-west": 0, "eu-central": 0], now: 0, generation: 2))
        guard let reason = c.blockedBecause else {
            #expect(plan.effects.first == .scale(datacenter: "eu-central", replicas: 4))
            #expect(plan.status.phase == .migrating)
            return
        }
        #expect(!plan.effects.contains { if case .scale = $0 { true } else { false } }, "nothing is scaled")
        #expect(plan.status.phase == .blocked)
        #expect(plan.status.activeDatacenter == "us-east")
        guard case .event(true, ServiceFailover.Reason.noFittingTarget, let message) = plan.effects.first else {
            Issue.record("expected a Warning event, got \(plan.effects)")
            return
        }
        #expect(message.contains("migration to eu-central waits") && message.contains(reason))
        let again = planService(Plans.input(moved, status: plan.status, sites: sites, desired: ["us-east": 4, "us-west": 0, "eu-central": 0], now: 1, generation: 2))
        #expect(again.effects.isEmpty, "the Warning is not repeated every pass")
        #expect(again.status.phase == .blocked)
    }

    @Test func aFailbackToACordonedPrimaryWaits() {
        let sites = [Plans.ready("us-east", replicas: 0, since: 20, cordoned: true), Plans.ready("us-west", replicas: 3), Plans.ready("eu-central", replicas: 0)]
        let asked = planService(Plans.input(status: Plans.failedOverStatus(), sites: sites, desired: ["us-west": 3], now: 100, failback: true))
        #expect(!asked.effects.contains(.scale(datacenter: "us-east", replicas: 4)))
        #expect(asked.status.phase == .blocked)
        #expect(asked.status.activeDatacenter == "us-west")
        let uncordoned = [Plans.ready("us-east", replicas: 0, since: 20)] + sites.dropFirst()
        let home = planService(Plans.input(status: asked.status, sites: uncordoned, desired: ["us-west": 3], now: 101, failback: true))
        #expect(home.effects.first == .scale(datacenter: "us-east", replicas: 4))
    }

    @Test func thePrimaryListedAsAFailoverTargetIsJudgedForThePrimarysCount() {
        // eu-central is the primary now (4 replicas) and also listed with 2: room for 3 is not enough.
        var spec = Plans.spec(primary: "eu-central")
        spec.failover = [FailoverTarget(datacenter: "eu-central", replicas: 2)]
        let full = SiteHealth(name: "eu-central", phase: .ready, readySince: Plans.at(-1000), readyReplicas: 0, capacityReplicas: 3)
        let failedOver = ServiceFailoverStatus(activeDatacenter: "us-west", phase: .failedOver, lastTransition: Plans.failedOverStatus().lastTransition)
        let plan = planService(Plans.input(spec, status: failedOver, sites: [Plans.lost("us-west", since: 0), full], desired: [:], now: 10))
        #expect(plan.status.phase == .blocked)
        #expect(!plan.effects.contains(.scale(datacenter: "eu-central", replicas: 4)))
    }

    @Test func aTargetRunningFewerReplicasThanTheMinimumIsNotLeftForTheSameIncident() throws {
        // us-west runs 1 replica; minReadyReplicas is 2. The failover completes at 1 ready replica,
        // and the next pass keeps the service there instead of failing over again.
        var spec = Plans.spec()
        spec.failover = [FailoverTarget(datacenter: "us-west", replicas: 1), FailoverTarget(datacenter: "eu-central", replicas: 2)]
        spec.policy?.minReadyReplicas = 2
        let standbys = [Plans.ready("us-west", replicas: 0), Plans.ready("eu-central", replicas: 0)]
        let started = planService(Plans.input(spec, status: nil, sites: [Plans.lost("us-east", since: 0)] + standbys, desired: [:], now: 5))
        #expect(started.status.lastTransition?.to == "us-west")
        let serving = [Plans.lost("us-east", since: 0), Plans.ready("us-west", replicas: 1), standbys[1]]
        let switched = planService(Plans.input(spec, status: started.status, sites: serving, desired: ["us-west": 1], now: 7))
        #expect(switched.effects.first == .switchTraffic(to: "us-west"))
        #expect(switched.status.conditions.isTrue(ServiceFailover.ConditionType.available))
        // The controller passes the Available=False time of the outage on while it lasts.
        let judged = SiteHealth(name: "us-west", phase: .ready, readySince: Plans.at(-1000), readyReplicas: 1, unavailableSince: Plans.at(1))
        let after = planService(Plans.input(spec, status: switched.status, sites: [serving[0], judged, serving[2]], desired: ["us-west": 1], now: 30))
        #expect(after.effects.isEmpty)
        #expect(after.status.phase == .failedOver)
        #expect(after.status.history.count == 1)
    }
}
