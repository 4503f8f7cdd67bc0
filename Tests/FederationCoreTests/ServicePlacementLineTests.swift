import FederationAPI
import FederationCore
import Foundation
import Testing

/// `status.placement`, what `kubectl get servicefailovers` shows as ACTIVE: the active datacenter
/// of an ActivePassive service, the division of an ActiveActive one (which has no active datacenter).
struct ServicePlacementLineTests {
    typealias AA = ActiveActivePlanTests
    typealias AP = ServicePlanTests

    @Test func anActiveActiveServiceShowsItsDivisionInNameOrder() throws {
        let first = planActiveActive(AA.input(status: nil, sites: AA.names.map { AA.ready($0, 0) }, desired: [:], now: 0))
        #expect(first.status.placement == "eu-central=3,us-east=6,us-west=3", "placed from the first pass, while it scales up")
        let settled = AA.settled()
        #expect(settled.placement == "eu-central=3,us-east=6,us-west=3")
        #expect(settled.activeDatacenter == nil, "ActiveActive has no active datacenter")
        let message = try #require(settled.conditions.condition(ServiceFailover.ConditionType.ready)?.message)
        #expect(message.hasSuffix(": " + (settled.placement ?? "")), "the Ready message names the same division")
    }

    @Test func aLostDatacentersShareLeavesTheLineWhenTheDivisionMoves() {
        let lost = SiteHealth(name: "us-east", phase: .unreachable, unhealthySince: AA.at(100))
        let sites = [lost, AA.ready("us-west", 3), AA.ready("eu-central", 3)]
        let early = planActiveActive(AA.input(status: AA.settled(), sites: sites, desired: ["us-west": 3, "eu-central": 3], now: 103))
        #expect(early.status.placement == "eu-central=3,us-east=6,us-west=3", "not lost yet")
        let moving = planActiveActive(AA.input(status: early.status, sites: sites, desired: ["us-west": 3, "eu-central": 3], now: 106))
        #expect(moving.status.placement == "eu-central=6,us-west=6")
        #expect(moving.status.conditions.condition(ServiceFailover.ConditionType.progressing)?.message == "moving to eu-central=6,us-west=6")
    }

    @Test func anActiveActiveServicePlacingNothingHasNoLine() {
        var status = AA.settled()
        let none = planActiveActive(AA.input(AA.spec(total: 0), status: status, sites: AA.names.map { AA.ready($0, 0) }, desired: [:], now: 10))
        #expect(none.status.placement == nil)
        status.placement = "stale=1"
        let rewritten = planActiveActive(AA.input(status: status, sites: AA.names.map { AA.ready($0, $0 == "us-east" ? 6 : 3) }, desired: [:], now: 10))
        #expect(rewritten.status.placement == "eu-central=3,us-east=6,us-west=3", "a line that is not the division is replaced")
    }

    @Test func anActivePassiveServiceShowsItsActiveDatacenter() {
        let sites = [AP.ready("us-east", replicas: 4), AP.ready("us-west", replicas: 0), AP.ready("eu-central", replicas: 0)]
        let home = planService(AP.input(status: nil, sites: sites, desired: ["us-east": 4], now: 0))
        #expect(home.status.placement == "us-east")
        #expect(home.status.activeDatacenter == "us-east")
        let failedOver = planService(AP.input(status: AP.failedOverStatus(), sites: sites, desired: ["us-west": 3], now: 20))
        #expect(failedOver.status.placement == "us-west")
        // An ActiveActive service switched to ActivePassive names its active datacenter again.
        let switched = planService(AP.input(status: AA.settled(), sites: sites, desired: ["us-east": 4], now: 30))
        #expect(switched.status.placement == "us-east")
    }
}
