import FederationAPI
import FederationCore
import Foundation
import Testing

/// `planService` with `policy.mode: Manual`: an unhealthy active datacenter moves nothing, and the
/// service is Stalled (kstatus Failed: only a person moves it on) with what that person must do,
/// until the site recovers or the person acts.
struct ServicePlanManualTests {
    typealias Plans = ServicePlanTests

    static let manual = Plans.spec(mode: .manual)
    static let lostPrimary = [Plans.lost("us-east", since: 0), Plans.ready("us-west", replicas: 0), Plans.ready("eu-central", replicas: 0)]

    /// The first pass after `unhealthyForSeconds`: waiting for a person.
    static func waiting() -> ServicePlan {
        planService(Plans.input(manual, status: nil, sites: lostPrimary, desired: ["us-west": 0, "eu-central": 0], now: 10))
    }

    static func condition(_ plan: ServicePlan, _ type: String) -> Condition? { plan.status.conditions.condition(type) }

    @Test func anUnhealthySiteInManualModeIsStalledWithWhatAPersonMustDo() throws {
        let plan = Self.waiting()
        let stalled = try #require(Self.condition(plan, ServiceFailover.ConditionType.stalled))
        #expect(stalled.status == .true)
        #expect(stalled.reason == ServiceFailover.Reason.awaitingManualFailover)
        #expect(stalled.message == "us-east is unhealthy (DatacenterUnreachable) and spec.policy.mode is Manual, so nothing moves until a person acts: "
            + "set spec.primary to us-west (swapping it with us-east in spec.failover) to move the Service there make-before-break, "
            + "or spec.policy.mode to Automatic to fail over to us-west")
        let ready = try #require(Self.condition(plan, ServiceFailover.ConditionType.ready))
        #expect(ready.status == .false && ready.reason == ServiceFailover.Reason.awaitingManualFailover && ready.message == stalled.message)
        #expect(!plan.status.conditions.isTrue(ServiceFailover.ConditionType.reconciling))
        #expect(KStatus.compute(generation: 1, observedGeneration: plan.status.observedGeneration, deletionTimestamp: nil, conditions: plan.status.conditions) == .failed)
        #expect(plan.effects == [.event(warning: true, reason: ServiceFailover.Reason.awaitingManualFailover, message: stalled.message)])
        #expect(plan.status.phase == .active && plan.status.activeDatacenter == "us-east")
    }

    @Test func beforeUnhealthyForSecondsNothingIsStalled() {
        let plan = planService(Plans.input(Self.manual, status: nil, sites: Self.lostPrimary, desired: [:], now: 2))
        #expect(!plan.status.conditions.isTrue(ServiceFailover.ConditionType.stalled))
        #expect(Self.condition(plan, ServiceFailover.ConditionType.stalled)?.reason == ServiceFailover.Reason.stable)
    }

    @Test func theStallEndsWhenTheSiteRecovers() throws {
        let recovered = [Plans.ready("us-east", replicas: 4), Plans.ready("us-west", replicas: 0), Plans.ready("eu-central", replicas: 0)]
        let plan = planService(Plans.input(Self.manual, status: Self.waiting().status, sites: recovered, desired: ["us-east": 4], now: 20))
        let stalled = try #require(Self.condition(plan, ServiceFailover.ConditionType.stalled))
        #expect(stalled.status == .false && stalled.reason == ServiceFailover.Reason.stable)
        #expect(plan.status.conditions.isTrue(ServiceFailover.ConditionType.ready))
    }

    @Test func theStallEndsWhenAPersonMovesThePrimary() throws {
        var moved = Self.manual
        moved.primary = "us-west"
        moved.failover = [FailoverTarget(datacenter: "us-east", replicas: 4), FailoverTarget(datacenter: "eu-central", replicas: 2)]
        let plan = planService(Plans.input(moved, status: Self.waiting().status, sites: Self.lostPrimary, desired: ["us-west": 0], now: 20, generation: 2))
        #expect(plan.effects.first == .scale(datacenter: "us-west", replicas: 4))
        #expect(plan.status.phase == .migrating)
        let stalled = try #require(Self.condition(plan, ServiceFailover.ConditionType.stalled))
        #expect(stalled.status == .false && stalled.reason == ServiceFailover.Reason.stable)
        #expect(plan.status.conditions.isTrue(ServiceFailover.ConditionType.reconciling))
    }

    @Test func theStallEndsWhenAPersonTurnsOnAutomaticFailover() throws {
        let plan = planService(Plans.input(Plans.spec(), status: Self.waiting().status, sites: Self.lostPrimary, desired: ["us-west": 0], now: 20, generation: 2))
        #expect(plan.effects.first == .scale(datacenter: "us-west", replicas: 3))
        #expect(plan.status.phase == .failingOver)
        #expect(Self.condition(plan, ServiceFailover.ConditionType.stalled)?.status == .false)
    }

    @Test func withNothingThatFitsTheMessageSaysWhy() {
        let sites = [Plans.lost("us-east", since: 0), Plans.ready("us-west", replicas: 0, cordoned: true), Plans.lost("eu-central", since: 0)]
        let plan = planService(Plans.input(Self.manual, status: nil, sites: sites, desired: [:], now: 10))
        #expect(Self.condition(plan, ServiceFailover.ConditionType.stalled)?.message
            == "us-east is unhealthy (DatacenterUnreachable) and spec.policy.mode is Manual, so nothing moves until a person acts, and no datacenter "
            + "fits a move now (us-west: cordoned (spec.unschedulable); eu-central: Unreachable): make room in one, or wait for us-east to recover")
    }

    @Test func failedOverWithOnlyThePrimaryLeftTheMessageNamesAutomaticMode() {
        let sites = [Plans.ready("us-east", replicas: 0), Plans.lost("us-west", since: 20), Plans.lost("eu-central", since: 0)]
        let plan = planService(Plans.input(Self.manual, status: Plans.failedOverStatus(), sites: sites, desired: ["us-east": 0], now: 30))
        #expect(plan.status.phase == .failedOver)
        #expect(Self.condition(plan, ServiceFailover.ConditionType.stalled)?.message
            == "us-west is unhealthy (DatacenterUnreachable) and spec.policy.mode is Manual, so nothing moves until a person acts: "
            + "set spec.policy.mode to Automatic to fail over to us-east, or wait for us-west to recover")
    }
}
