import FederationAPI
import FederationCore
import Foundation
import Testing

/// A ServiceFailover created while its workload still rolls out: its unready replicas count toward
/// `unhealthyForSeconds` (5 s here) only after `readinessTimeoutSeconds` (60 s here), unless the workload was available before.
struct FirstRolloutTests {
    typealias P = ServicePlanTests

    /// us-east (the primary) with `ready` replicas, judged from the persisted status as the controller reads it.
    static func primary(ready: Int, status: ServiceFailoverStatus?) -> SiteHealth {
        SiteHealth(
            name: "us-east", phase: .ready, readySince: P.at(-1000), readyReplicas: ready,
            unavailableSince: ServiceFailover.unavailableSince(status, spec: P.spec()))
    }

    static let standbys = [P.ready("us-west", replicas: 0), P.ready("eu-central", replicas: 0)]
    static let desired = ["us-east": 4, "us-west": 0, "eu-central": 0]

    static func pass(_ status: ServiceFailoverStatus?, ready: Int, now: TimeInterval) -> ServicePlan {
        planService(P.input(status: status, sites: [primary(ready: ready, status: status)] + standbys, desired: desired, now: now))
    }

    @Test func unreadyReplicasOfAFirstRolloutCountOnlyAfterTheReadinessTimeout() {
        let created = Self.pass(nil, ready: 0, now: 0)
        let available = created.status.conditions.condition(ServiceFailover.ConditionType.available)
        #expect(available?.status == .false)
        #expect(available?.reason == ServiceFailover.Reason.notYetAvailable)
        #expect(created.status.conditions.condition(ServiceFailover.ConditionType.ready)?.reason == ServiceFailover.Reason.notYetAvailable)
        #expect(ServiceFailover.unavailableSince(created.status, spec: P.spec()) == P.at(60))
        // Far past unhealthyForSeconds, still rolling out within the readiness timeout: nothing moves, and the reason stays.
        let later = Self.pass(created.status, ready: 0, now: 64)
        #expect(later.effects.isEmpty)
        #expect(later.status.activeDatacenter == "us-east")
        #expect(later.status.phase == .active)
        #expect(later.status.conditions.condition(ServiceFailover.ConditionType.available)?.reason == ServiceFailover.Reason.notYetAvailable)
        // A rollout that never becomes available fails over once the readiness timeout and unhealthyForSeconds have passed.
        let stuck = Self.pass(later.status, ready: 0, now: 65)
        #expect(stuck.effects.first == .scale(datacenter: "us-west", replicas: 3))
        #expect(stuck.status.lastTransition?.reason == ServiceFailover.Reason.replicasUnavailable)
    }

    @Test func onceAvailableALossOfReplicasFailsOverAfterTheWait() {
        let created = Self.pass(nil, ready: 0, now: 0)
        let rolledOut = Self.pass(created.status, ready: 4, now: 30)
        #expect(rolledOut.status.conditions.isTrue(ServiceFailover.ConditionType.available))
        let lost = Self.pass(rolledOut.status, ready: 0, now: 100)
        let available = lost.status.conditions.condition(ServiceFailover.ConditionType.available)
        #expect(available?.reason == ServiceFailover.Reason.minimumReplicasUnavailable)
        #expect(ServiceFailover.unavailableSince(lost.status, spec: P.spec()) == P.at(100))
        #expect(lost.effects.isEmpty, "the clock starts now")
        let waited = Self.pass(lost.status, ready: 0, now: 105)
        #expect(waited.effects.first == .scale(datacenter: "us-west", replicas: 3))
        #expect(waited.status.lastTransition?.reason == ServiceFailover.Reason.replicasUnavailable)
    }

    @Test func aLostDatacenterFailsOverEvenDuringTheFirstRollout() {
        let created = Self.pass(nil, ready: 0, now: 0)
        let gone = planService(P.input(status: created.status, sites: [P.lost("us-east", since: 10)] + Self.standbys, desired: ["us-west": 0, "eu-central": 0], now: 15))
        #expect(gone.effects.first == .scale(datacenter: "us-west", replicas: 3))
        #expect(gone.status.lastTransition?.reason == ServiceFailover.Reason.datacenterUnreachable)
    }
}
