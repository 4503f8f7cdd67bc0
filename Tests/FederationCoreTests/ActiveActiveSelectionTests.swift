import FederationAPI
import FederationCore
import Foundation
import Testing

/// `planActiveActive` when the datacenters it may use change under a running service: one taken out
/// of the selection gives its share back make-before-break and stays listed until its copy runs
/// none; a cordon that leaves fewer candidates than `minDatacenters` is a shortfall, not a spec error.
struct ActiveActiveSelectionTests {
    typealias T = ActiveActivePlanTests

    static func input(status: ServiceFailoverStatus?, sites: [SiteHealth], selected: [String], desired: [String: Int], now: TimeInterval) -> ActiveActiveInput {
        ActiveActiveInput(
            spec: T.spec(), status: status, sites: Dictionary(uniqueKeysWithValues: sites.map { ($0.name, $0) }), selected: Set(selected),
            desiredReplicas: desired, now: T.at(now), generation: 1)
    }

    @Test func aDatacenterTakenOutOfTheSelectionIsScaledDownOnceTheOthersAreReadyAndListedUntilThen() {
        let settled = T.settled()
        let kept = ["us-east", "us-west"]
        // eu-central loses its label: the others take its share first, and it keeps running meanwhile.
        let gaining = planActiveActive(Self.input(
            status: settled, sites: [T.ready("us-east", 6), T.ready("us-west", 3), T.ready("eu-central", 3)], selected: kept,
            desired: ["us-east": 6, "us-west": 3, "eu-central": 3], now: 10))
        #expect(T.scales(gaining) == ["us-east": 8, "us-west": 4])
        #expect(gaining.status.lastTransition?.reason == ServiceFailover.Reason.selectionChanged)
        // Status still lists it, so the next pass reads it again (the controller reads every listed datacenter).
        #expect(gaining.status.datacenters.map(\.name).contains("eu-central"))
        let shrinking = planActiveActive(Self.input(
            status: gaining.status, sites: [T.ready("us-east", 8), T.ready("us-west", 4), T.ready("eu-central", 3)], selected: kept,
            desired: ["us-east": 8, "us-west": 4, "eu-central": 3], now: 12))
        #expect(T.scales(shrinking) == ["eu-central": 0])
        let done = planActiveActive(Self.input(
            status: shrinking.status, sites: [T.ready("us-east", 8), T.ready("us-west", 4), T.ready("eu-central", 0)], selected: kept,
            desired: ["us-east": 8, "us-west": 4, "eu-central": 0], now: 14))
        #expect(T.scales(done).isEmpty)
        #expect(!done.status.datacenters.map(\.name).contains("eu-central"))
        #expect(done.status.phase == .active)
    }

    /// Each redistribution's history reason names its cause: a new datacenter in the selection, less
    /// room, and a cordoned datacenter's return.
    @Test func eachRedistributionSaysWhy() {
        // The first placement, once the copies exist (the first pass found none, so placed nothing).
        let noCopies = T.names.map { name -> SiteHealth in
            var site = T.ready(name, 0)
            site.hasWorkload = false
            return site
        }
        let empty = planActiveActive(Self.input(status: nil, sites: noCopies, selected: T.names, desired: [:], now: 0))
        #expect(T.scales(empty).isEmpty)
        let first = planActiveActive(Self.input(
            status: empty.status, sites: T.names.map { T.ready($0, 0) }, selected: T.names, desired: ["us-east": 0, "us-west": 0, "eu-central": 0], now: 1))
        #expect(T.scales(first) == ["us-east": 6, "us-west": 3, "eu-central": 3])
        #expect(first.status.lastTransition?.reason == ServiceFailover.Reason.initialPlacement)
        #expect(first.status.lastTransition?.from == "none")
        let settled = T.settled()
        let placed = ["us-east": 6, "us-west": 3, "eu-central": 3]
        let sites = T.names.map { T.ready($0, placed[$0]!) }
        // ap-south is labelled into the selection.
        let joined = planActiveActive(Self.input(
            status: settled, sites: sites + [T.ready("ap-south", 0)], selected: T.names + ["ap-south"], desired: placed.merging(["ap-south": 0]) { $1 }, now: 10))
        #expect(T.scales(joined) == ["ap-south": 2])
        #expect(joined.status.lastTransition?.reason == ServiceFailover.Reason.selectionChanged)
        // us-east now has room for 4 of its 6.
        let smaller = planActiveActive(Self.input(
            status: settled, sites: [T.ready("us-east", 6, capacity: 4), T.ready("us-west", 3), T.ready("eu-central", 3)], selected: T.names, desired: placed, now: 10))
        #expect(T.scales(smaller) == ["us-west": 4, "eu-central": 4])
        #expect(smaller.status.lastTransition?.reason == ServiceFailover.Reason.capacityChanged)
        // eu-central cordoned, its share moved; uncordoned, it gets its share back: a rebalance.
        var cordoned = T.ready("eu-central", 3)
        cordoned.unschedulable = true
        let moving = planActiveActive(Self.input(status: settled, sites: [T.ready("us-east", 6), T.ready("us-west", 3), cordoned], selected: T.names, desired: placed, now: 10))
        let away = planActiveActive(Self.input(
            status: moving.status, sites: [T.ready("us-east", 8), T.ready("us-west", 4), cordoned], selected: T.names, desired: ["us-east": 8, "us-west": 4, "eu-central": 3], now: 12))
        #expect(T.scales(away) == ["eu-central": 0])
        cordoned.readyReplicas = 0
        let without = planActiveActive(Self.input(
            status: away.status, sites: [T.ready("us-east", 8), T.ready("us-west", 4), cordoned], selected: T.names, desired: ["us-east": 8, "us-west": 4, "eu-central": 0], now: 14))
        #expect(without.status.history.first?.reason == ServiceFailover.Reason.datacenterCordoned)
        let back = planActiveActive(Self.input(
            status: without.status, sites: [T.ready("us-east", 8), T.ready("us-west", 4), T.ready("eu-central", 0)], selected: T.names,
            desired: ["us-east": 8, "us-west": 4, "eu-central": 0], now: 16))
        #expect(T.scales(back) == ["eu-central": 3])
        #expect(back.status.lastTransition?.reason == ServiceFailover.Reason.rebalance)
    }

    @Test func aCordonLeavingFewerCandidatesThanMinDatacentersIsAShortfallThatStillFollowsALoss() {
        var spec = T.spec()
        spec.placement?.minDatacenters = 3
        func input(_ status: ServiceFailoverStatus?, _ sites: [SiteHealth], _ desired: [String: Int], _ now: TimeInterval) -> ActiveActiveInput {
            ActiveActiveInput(
                spec: spec, status: status, sites: Dictionary(uniqueKeysWithValues: sites.map { ($0.name, $0) }), selected: Set(T.names),
                desiredReplicas: desired, now: T.at(now), generation: 1)
        }
        let settled = T.settled()
        var cordoned = T.ready("eu-central", 3)
        cordoned.unschedulable = true
        let moving = planActiveActive(input(settled, [T.ready("us-east", 6), T.ready("us-west", 3), cordoned], ["us-east": 6, "us-west": 3, "eu-central": 3], 10))
        #expect(T.scales(moving) == ["us-east": 8, "us-west": 4])
        #expect(moving.status.lastTransition?.reason == ServiceFailover.Reason.datacenterCordoned)
        let placed = planActiveActive(input(
            moving.status, [T.ready("us-east", 8), T.ready("us-west", 4), cordoned], ["us-east": 8, "us-west": 4, "eu-central": 3], 12))
        #expect(T.scales(placed) == ["eu-central": 0])
        let short = planActiveActive(input(
            placed.status, [T.ready("us-east", 8), T.ready("us-west", 4), T.ready("eu-central", 0)].map { $0.name == "eu-central" ? cordoned : $0 },
            ["us-east": 8, "us-west": 4, "eu-central": 0], 14))
        #expect(short.status.phase == .degraded, "two candidates for minDatacenters 3")
        #expect(short.status.conditions.isTrue("Stalled"))
        #expect(short.status.conditions.condition("Ready")?.message
            == "placed in 2 datacenters, fewer than minDatacenters 3: no other selected datacenter can take replicas now (cordoned, lost, not Ready, weighted 0, or without room)")
        // us-west is then lost: its share moves to the one candidate left.
        let lost = SiteHealth(name: "us-west", phase: .unreachable, unhealthySince: T.at(20))
        let after = planActiveActive(input(short.status, [T.ready("us-east", 8), lost, cordoned], ["us-east": 8, "eu-central": 0], 26))
        #expect(T.scales(after) == ["us-east": 12])
    }

    @Test func aServiceScaledToZeroIsAvailableAndReady() {
        let settled = T.settled()
        let zero = ActiveActiveInput(
            spec: T.spec(total: 0), status: settled, sites: Dictionary(uniqueKeysWithValues: T.names.map { ($0, T.ready($0, 0)) }), selected: Set(T.names),
            desiredReplicas: Dictionary(uniqueKeysWithValues: T.names.map { ($0, 0) }), now: T.at(20), generation: 2)
        let plan = planActiveActive(zero)
        #expect(T.scales(plan).isEmpty)
        #expect(plan.status.conditions.isTrue("Available"), "as a Deployment at 0 replicas is")
        #expect(plan.status.conditions.isTrue("Ready"))
        #expect(!plan.status.conditions.isTrue("Stalled"))
        // The empty division reads `none` (history's from and to are required), never an empty string.
        #expect((plan.status.lastTransition ?? plan.status.history.first)?.to == "none")
        #expect(plan.status.conditions.allSatisfy { !$0.message.hasSuffix(": ") && !$0.message.hasSuffix(" ") })
        #expect(plan.status.placement == nil)
    }
}
