import FederationAPI
import FederationCore
import Foundation
import Testing

/// A datacenter the division gives a share of 0 stays in the division: it is not mistaken for one
/// waiting for failback, so later passes neither move replicas away from it nor keep it out when
/// it is needed, even with `failback: Manual`.
struct ActiveActiveZeroShareTests {
    typealias P = ActiveActivePlanTests

    /// 5 replicas weighted 10:1:1 over eu-central, us-east, us-west: 4 + 0.42 + 0.42, the remainder
    /// to the first name among the tie (eu-central gets 4, us-east 1, us-west 0).
    static func spec(failback: FailbackMode) -> ServiceFailoverSpec {
        ServiceFailoverSpec(
            service: "web", primary: "us-east", mode: .activeActive, replicas: 5,
            placement: PlacementSpec(weights: [DatacenterWeight(datacenter: "eu-central", weight: 10)]),
            policy: FailoverPolicy(unhealthyForSeconds: 5, failback: failback, stabilizationSeconds: 120))
    }

    static func settled(_ spec: ServiceFailoverSpec) -> (status: ServiceFailoverStatus, placed: [String: Int]) {
        let zero = ["us-east": 0, "us-west": 0, "eu-central": 0]
        let first = planActiveActive(P.input(spec, status: nil, sites: P.names.map { P.ready($0, 0) }, desired: zero, now: 0))
        let placed = P.scales(first).merging(zero) { scaled, _ in scaled }
        let ready = planActiveActive(P.input(spec, status: first.status, sites: P.names.map { P.ready($0, placed[$0]!) }, desired: placed, now: 2))
        return (ready.status, placed)
    }

    @Test(arguments: [FailbackMode.manual, .automatic])
    func aZeroShareIsKeptInTheDivisionSoNothingMovesOnLaterPasses(failback: FailbackMode) throws {
        let spec = Self.spec(failback: failback)
        let (status, placed) = Self.settled(spec)
        #expect(placed == ["eu-central": 4, "us-east": 1, "us-west": 0])
        let westStatus = try #require(status.datacenters.first { $0.name == "us-west" })
        #expect(westStatus.desiredReplicas == 0)
        #expect(westStatus.role == .active)
        var current = status
        for now in [10.0, 20, 30] {
            let pass = planActiveActive(P.input(spec, status: current, sites: P.names.map { P.ready($0, placed[$0]!) }, desired: placed, now: now))
            #expect(P.scales(pass).isEmpty, "pass at \(now) s moved replicas: \(P.scales(pass))")
            #expect(pass.status.datacenters.compactMap(\.desiredReplicas) == [4, 1, 0])
            current = pass.status
        }
    }

    @Test func aZeroShareDatacenterTakesOverALostOnesShareWithManualFailback() throws {
        let spec = Self.spec(failback: .manual)
        let (status, placed) = Self.settled(spec)
        let lost = SiteHealth(name: "eu-central", phase: .unreachable, unhealthySince: P.at(100))
        let sites = [lost, P.ready("us-east", placed["us-east"]!), P.ready("us-west", 0)]
        let moving = planActiveActive(P.input(spec, status: status, sites: sites, desired: ["us-east": 1, "us-west": 0], now: 106))
        #expect(P.scales(moving) == ["us-east": 3, "us-west": 2])
        let lostStatus = try #require(moving.status.datacenters.first { $0.name == "eu-central" })
        #expect(lostStatus.role == nil)
        #expect(lostStatus.desiredReplicas == 0)
    }

    @Test func aReturningDatacenterStillWaitsForTheRebalanceWithManualFailback() {
        let spec = Self.spec(failback: .manual)
        let (status, placed) = Self.settled(spec)
        let lost = SiteHealth(name: "eu-central", phase: .unreachable, unhealthySince: P.at(100))
        let moved = ["us-east": 3, "us-west": 2]
        let first = planActiveActive(P.input(spec, status: status, sites: [lost, P.ready("us-east", 1), P.ready("us-west", 0)], desired: ["us-east": 1, "us-west": 0], now: 106))
        let after = planActiveActive(P.input(spec, status: first.status, sites: [lost, P.ready("us-east", 3), P.ready("us-west", 2)], desired: moved, now: 110))
        #expect(after.status.datacenters.compactMap(\.desiredReplicas) == [0, 3, 2])
        // Back and Ready for an hour: with Manual failback it stays out until a person asks.
        let back = [P.ready("eu-central", 0, since: 200), P.ready("us-east", 3), P.ready("us-west", 2)]
        let waiting = planActiveActive(P.input(spec, status: after.status, sites: back, desired: moved.merging(["eu-central": 0]) { a, _ in a }, now: 3800))
        #expect(P.scales(waiting).isEmpty)
        #expect(waiting.status.datacenters.first { $0.name == "eu-central" }?.role == nil)
        let asked = planActiveActive(P.input(spec, status: waiting.status, sites: back, desired: moved.merging(["eu-central": 0]) { a, _ in a }, now: 3810, rebalance: true))
        #expect(P.scales(asked) == ["eu-central": 2], "the first step of its 4: a quarter of 5, rounded up, above the total")
        _ = placed
    }

    @Test func aFirstPassThatFoundNoCandidateLeavesTheNextOneAFirstPlacementEvenWithManualFailback() {
        let spec = Self.spec(failback: .manual)
        let zero = ["us-east": 0, "us-west": 0, "eu-central": 0]
        let pending = P.names.map { SiteHealth(name: $0, phase: .pending) }
        let first = planActiveActive(P.input(spec, status: nil, sites: pending, desired: zero, now: 0))
        #expect(P.scales(first).isEmpty)
        #expect(first.status.unplacedReplicas == 5)
        #expect(first.status.datacenters.allSatisfy { $0.role == nil })
        // The datacenters turn Ready a moment later: nothing was ever divided, so no window applies.
        let ready = planActiveActive(P.input(spec, status: first.status, sites: P.names.map { P.ready($0, 0, since: 1) }, desired: zero, now: 2))
        #expect(P.scales(ready) == ["eu-central": 4, "us-east": 1])
        #expect(ready.status.datacenters.allSatisfy { $0.role == .active })
    }
}
