import FederationAPI
import FederationCore
import Foundation
import Testing

/// `planActiveActive`: the division placed make-before-break, a lost datacenter's share moved,
/// a returning one let back only after the window or on request, and a shortfall reported.
struct ActiveActivePlanTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ s: TimeInterval) -> Date { t0.addingTimeInterval(s) }
    static let names = ["eu-central", "us-east", "us-west"]

    static func spec(failback: FailbackMode = .automatic, total: Int = 12) -> ServiceFailoverSpec {
        ServiceFailoverSpec(
            service: "web", primary: "us-east", mode: .activeActive, replicas: total,
            placement: PlacementSpec(weights: [DatacenterWeight(datacenter: "us-east", weight: 2)], minDatacenters: 2),
            policy: FailoverPolicy(unhealthyForSeconds: 5, failback: failback, stabilizationSeconds: 120))
    }

    static func ready(_ name: String, _ replicas: Int, since: TimeInterval = -1000, capacity: Int? = nil) -> SiteHealth {
        SiteHealth(name: name, phase: .ready, readySince: at(since), readyReplicas: replicas, capacityReplicas: capacity)
    }

    static func input(
        _ spec: ServiceFailoverSpec = spec(), status: ServiceFailoverStatus?, sites: [SiteHealth], desired: [String: Int], now: TimeInterval,
        rebalance: Bool = false
    ) -> ActiveActiveInput {
        ActiveActiveInput(
            spec: spec, status: status, sites: Dictionary(uniqueKeysWithValues: sites.map { ($0.name, $0) }), selected: Set(names),
            desiredReplicas: desired, rebalanceRequested: rebalance, now: at(now), generation: 1)
    }

    static func scales(_ plan: ServicePlan) -> [String: Int] {
        var result: [String: Int] = [:]
        for case .scale(let dc, let n) in plan.effects { result[dc] = n }
        return result
    }

    static func routes(_ plan: ServicePlan) -> [String]? {
        for case .route(let to) in plan.effects { return to }
        return nil
    }

    /// Placed 6/3/3 and ready everywhere.
    static func settled() -> ServiceFailoverStatus {
        let first = planActiveActive(input(status: nil, sites: names.map { ready($0, 0) }, desired: ["us-east": 0, "us-west": 0, "eu-central": 0], now: 0))
        let placed = ["us-east": 6, "us-west": 3, "eu-central": 3]
        return planActiveActive(input(status: first.status, sites: names.map { ready($0, placed[$0]!) }, desired: placed, now: 2)).status
    }

    @Test func firstPlacementDividesByWeightThenRoutesOnceReady() {
        let first = planActiveActive(Self.input(status: nil, sites: Self.names.map { Self.ready($0, 0) }, desired: ["us-east": 0, "us-west": 0, "eu-central": 0], now: 0))
        #expect(Self.scales(first) == ["us-east": 6, "us-west": 3, "eu-central": 3])
        #expect(Self.routes(first) == [])
        #expect(first.status.phase == .progressing)
        #expect(first.status.datacenters.map(\.desiredReplicas) == [3, 6, 3])
        let status = Self.settled()
        #expect(status.phase == .active)
        #expect(status.conditions.isTrue("Ready"))
        #expect(status.unplacedReplicas == nil)
        let steady = planActiveActive(Self.input(status: status, sites: Self.names.map { Self.ready($0, $0 == "us-east" ? 6 : 3) }, desired: ["us-east": 6, "us-west": 3, "eu-central": 3], now: 10))
        #expect(Self.scales(steady).isEmpty)
        #expect(Self.routes(steady) == ["eu-central", "us-east", "us-west"])
    }

    @Test func aLostDatacentersShareMovesMakeBeforeBreakAndReturnsAfterTheWindow() {
        var status = Self.settled()
        let lost = SiteHealth(name: "us-east", phase: .unreachable, unhealthySince: Self.at(100))
        // Not lost yet (3 s of 5): nothing moves, look again when the wait is over.
        let early = planActiveActive(Self.input(status: status, sites: [lost, Self.ready("us-west", 3), Self.ready("eu-central", 3)], desired: ["us-west": 3, "eu-central": 3], now: 103))
        #expect(Self.scales(early).isEmpty)
        #expect(early.requeueAfter == 2)
        // Status shows it out of reach with the ready count last seen there, not 0.
        let unreached = early.status.datacenters.first { $0.name == "us-east" }
        #expect(unreached?.reachable == false)
        #expect(unreached?.readyReplicas == 6)
        // …and discovery keeps routing to it (the endpoints last seen there): nothing acts before it is lost.
        #expect(Self.routes(early) == ["eu-central", "us-east", "us-west"])
        // kstatus: in progress, not current, saying what it waits for.
        #expect(early.status.conditions.isTrue("Reconciling"))
        #expect(early.status.conditions.condition("Reconciling")?.reason == ServiceFailover.Reason.datacenterUnreachable)
        #expect(early.status.conditions.condition("Reconciling")?.message
            == "us-east Unreachable: its share moves to the others once it has been for unhealthyForSeconds (5 s); until then it keeps its share and its route")
        // Lost: the others scale up first; discovery keeps us-east until they are ready.
        let moving = planActiveActive(Self.input(status: status, sites: [lost, Self.ready("us-west", 3), Self.ready("eu-central", 3)], desired: ["us-west": 3, "eu-central": 3], now: 106))
        #expect(Self.scales(moving) == ["us-west": 6, "eu-central": 6])
        #expect(Self.routes(moving) == ["eu-central", "us-east", "us-west"])
        #expect(moving.status.phase == .progressing)
        #expect(moving.status.lastTransition?.reason == ServiceFailover.Reason.datacenterUnreachable)
        #expect(moving.status.lastTransition?.completedAt == nil)
        status = moving.status
        // The next pass, the others not ready yet: us-east (a share of 0 in status now) keeps its route.
        let stillMoving = planActiveActive(Self.input(status: status, sites: [lost, Self.ready("us-west", 4), Self.ready("eu-central", 3)], desired: ["us-west": 6, "eu-central": 6], now: 107))
        #expect(Self.scales(stillMoving).isEmpty)
        #expect(Self.routes(stillMoving) == ["eu-central", "us-east", "us-west"], "the lost datacenter leaves discovery only once the others are ready")
        status = stillMoving.status
        let done = planActiveActive(Self.input(status: status, sites: [lost, Self.ready("us-west", 6), Self.ready("eu-central", 6)], desired: ["us-west": 6, "eu-central": 6], now: 108))
        #expect(Self.routes(done) == ["eu-central", "us-west"])
        #expect(done.status.phase == .active)
        #expect(done.status.history.first?.to == "eu-central=6,us-west=6")
        status = done.status
        // Back and Ready for 30 s of the 120 s window: it gets nothing yet.
        let back = Self.ready("us-east", 0, since: 170)
        let waiting = planActiveActive(Self.input(status: status, sites: [back, Self.ready("us-west", 6), Self.ready("eu-central", 6)], desired: ["us-east": 6, "us-west": 6, "eu-central": 6], now: 200))
        #expect(Self.scales(waiting) == ["us-east": 0])
        #expect(waiting.status.phase == .progressing, "its stale copy still runs 6 replicas")
        #expect(waiting.requeueAfter == 1)
        // Its stale copy's pods ready again: still no route to a datacenter no division placed replicas in since it was lost.
        let staleReady = planActiveActive(Self.input(status: status, sites: [Self.ready("us-east", 4, since: 170), Self.ready("us-west", 6), Self.ready("eu-central", 6)], desired: ["us-east": 6, "us-west": 6, "eu-central": 6], now: 200))
        #expect(Self.scales(staleReady) == ["us-east": 0])
        #expect(Self.routes(staleReady) == ["eu-central", "us-west"])
        let cleared = planActiveActive(Self.input(status: waiting.status, sites: [back, Self.ready("us-west", 6), Self.ready("eu-central", 6)], desired: ["us-east": 0, "us-west": 6, "eu-central": 6], now: 201))
        #expect(Self.scales(cleared).isEmpty)
        #expect(cleared.status.phase == .active)
        #expect(cleared.requeueAfter == 89)
        status = cleared.status
        // After the window, a step at a time (at most 3 replicas, a quarter of 12, above the total):
        // us-east scales up first; the others give back only what runs above 12, once it is ready.
        let rejoin = planActiveActive(Self.input(status: status, sites: [back, Self.ready("us-west", 6), Self.ready("eu-central", 6)], desired: ["us-east": 0, "us-west": 6, "eu-central": 6], now: 291))
        #expect(Self.scales(rejoin) == ["us-east": 3])
        #expect(rejoin.status.lastTransition?.reason == ServiceFailover.Reason.rebalance)
        #expect(rejoin.status.datacenters.map(\.desiredReplicas) == [3, 6, 3], "status shows the division the steps lead to")
        // Its status still reports the 6 replicas it ran before it was lost: not ready until current.
        var stale = Self.ready("us-east", 6, since: 170)
        stale.statusCurrent = false
        let unobserved = planActiveActive(Self.input(status: rejoin.status, sites: [stale, Self.ready("us-west", 6), Self.ready("eu-central", 6)], desired: ["us-east": 3, "us-west": 6, "eu-central": 6], now: 291.5))
        #expect(Self.scales(unobserved).isEmpty, "nothing gives back on a status of an earlier spec")
        #expect(unobserved.status.phase == .progressing)
        let partly = planActiveActive(Self.input(status: rejoin.status, sites: [Self.ready("us-east", 2, since: 170), Self.ready("us-west", 6), Self.ready("eu-central", 6)], desired: ["us-east": 3, "us-west": 6, "eu-central": 6], now: 292))
        #expect(Self.scales(partly).isEmpty, "us-east runs 2 of its 3 ready: nothing gives back, and no more surge")
        // Its 3 ready: 3 give back (the larger excess first, equal ones in name order), in a pass of their own.
        let second = planActiveActive(Self.input(status: partly.status, sites: [Self.ready("us-east", 3, since: 170), Self.ready("us-west", 6), Self.ready("eu-central", 6)], desired: ["us-east": 3, "us-west": 6, "eu-central": 6], now: 293))
        #expect(Self.scales(second) == ["eu-central": 4, "us-west": 5])
        #expect(second.status.phase == .progressing)
        // Back at 12: the next 3 go to us-east.
        let third = planActiveActive(Self.input(status: second.status, sites: [Self.ready("us-east", 3, since: 170), Self.ready("us-west", 5), Self.ready("eu-central", 4)], desired: ["us-east": 3, "us-west": 5, "eu-central": 4], now: 294))
        #expect(Self.scales(third) == ["us-east": 6])
        let fourth = planActiveActive(Self.input(status: third.status, sites: [Self.ready("us-east", 6, since: 170), Self.ready("us-west", 5), Self.ready("eu-central", 4)], desired: ["us-east": 6, "us-west": 5, "eu-central": 4], now: 294.5))
        #expect(Self.scales(fourth) == ["us-west": 3, "eu-central": 3])
        #expect(fourth.status.phase == .progressing, "us-west and eu-central still run more than their share")
        // Settled only once the scale-downs are observed: then Active, and the move is history.
        var shrinking = Self.ready("us-west", 3)
        shrinking.statusCurrent = false
        let observing = planActiveActive(Self.input(status: fourth.status, sites: [Self.ready("us-east", 6, since: 170), shrinking, Self.ready("eu-central", 3)], desired: ["us-east": 6, "us-west": 3, "eu-central": 3], now: 295))
        #expect(Self.scales(observing).isEmpty)
        #expect(observing.status.phase == .progressing, "us-west's status does not describe its new spec yet")
        let settledHome = planActiveActive(Self.input(status: observing.status, sites: [Self.ready("us-east", 6, since: 170), Self.ready("us-west", 3), Self.ready("eu-central", 3)], desired: ["us-east": 6, "us-west": 3, "eu-central": 3], now: 296))
        #expect(Self.scales(settledHome).isEmpty)
        #expect(settledHome.status.phase == .active)
        #expect(settledHome.status.conditions.isTrue("Ready"))
        #expect(settledHome.status.history.first?.to == "eu-central=3,us-east=6,us-west=3")
        #expect(settledHome.status.history.first?.completedAt != nil, "one redistribution for all the steps")
    }

    /// us-east came back after being lost: the last pass left it out of the division (no role).
    @Test func manualFailbackWaitsForARebalanceRequest() {
        let status = ServiceFailoverStatus(datacenters: [
            ServiceDatacenterStatus(name: "eu-central", role: .active, desiredReplicas: 6), ServiceDatacenterStatus(name: "us-east", desiredReplicas: 0),
            ServiceDatacenterStatus(name: "us-west", role: .active, desiredReplicas: 6),
        ])
        var settled = status
        settled.observedGeneration = 1
        let sites = [Self.ready("us-east", 0, since: 0), Self.ready("us-west", 6), Self.ready("eu-central", 6)]
        let desired = ["us-east": 0, "us-west": 6, "eu-central": 6]
        let stays = planActiveActive(Self.input(Self.spec(failback: .manual), status: settled, sites: sites, desired: desired, now: 1000))
        #expect(Self.scales(stays).isEmpty)
        // Ready says what it waits for, and what a person does about it.
        #expect(stays.status.conditions.condition("Ready")?.message
            == "12 of 12 replicas ready: eu-central=6,us-west=6; us-east back, waiting for a rebalance (failback: Manual: concord service rebalance)")
        let asked = planActiveActive(Self.input(Self.spec(failback: .manual), status: settled, sites: sites, desired: desired, now: 1000, rebalance: true))
        #expect(Self.scales(asked) == ["us-east": 3], "the first step: a quarter of 12 above the total")
    }

    /// A datacenter just labelled into the selection was never left out of this service's placement:
    /// it joins at once (as `SelectionChanged`), whatever the window or failback mode, unlike one the
    /// last status listed (``manualFailbackWaitsForARebalanceRequest()``).
    @Test func aNewlySelectedDatacenterJoinsAtOnce() {
        var settled = ServiceFailoverStatus(datacenters: [
            ServiceDatacenterStatus(name: "eu-central", role: .active, desiredReplicas: 6), ServiceDatacenterStatus(name: "us-west", role: .active, desiredReplicas: 6),
        ])
        settled.observedGeneration = 1
        let sites = [Self.ready("us-east", 0, since: 990), Self.ready("us-west", 6), Self.ready("eu-central", 6)]
        let desired = ["us-east": 0, "us-west": 6, "eu-central": 6]
        for failback in [FailbackMode.manual, .automatic] {
            let joined = planActiveActive(Self.input(Self.spec(failback: failback), status: settled, sites: sites, desired: desired, now: 1000))
            #expect(Self.scales(joined) == ["us-east": 3], "the first step toward 6/3/3, ready for 10 s of a 120 s window")
            #expect(joined.status.lastTransition?.reason == ServiceFailover.Reason.selectionChanged)
        }
    }

    /// A settled shortfall says which datacenter waits for a person's rebalance (Manual), and is not
    /// Stalled while a returning one waits for its window (Automatic): it will join by itself.
    @Test func aShortfallNamesTheDatacenterWaitingToReturn() {
        var status = ServiceFailoverStatus(datacenters: [
            ServiceDatacenterStatus(name: "eu-central", role: .active, desiredReplicas: 4), ServiceDatacenterStatus(name: "us-east", desiredReplicas: 0),
            ServiceDatacenterStatus(name: "us-west", role: .active, desiredReplicas: 6),
        ])
        status.observedGeneration = 1
        status.unplacedReplicas = 2
        let sites = [Self.ready("us-east", 0, since: 990), Self.ready("us-west", 6, capacity: 6), Self.ready("eu-central", 4, capacity: 4)]
        let desired = ["us-east": 0, "us-west": 6, "eu-central": 4]
        let manual = planActiveActive(Self.input(Self.spec(failback: .manual), status: status, sites: sites, desired: desired, now: 1000)).status
        #expect(manual.conditions.condition("Stalled")?.status == .true)
        #expect(manual.conditions.condition("Stalled")?.message
            == "2 of 12 replicas have no room in any candidate datacenter (capacity or maxReplicasPerDatacenter); us-east back, waiting for a rebalance (failback: Manual: concord service rebalance)")
        let automatic = planActiveActive(Self.input(Self.spec(failback: .automatic), status: status, sites: sites, desired: desired, now: 1000))
        #expect(Self.scales(automatic).isEmpty, "10 s of its 120 s window")
        #expect(automatic.status.conditions.condition("Stalled")?.status == .false)
        #expect(automatic.status.conditions.condition("Ready")?.reason == "InsufficientCapacity")
    }

    /// A settled division is the same on the next passes with the same inputs: where remainders
    /// tie, the datacenter already holding the extra replica keeps it (before, the one running more
    /// took it, which moved a replica on the second pass). Every candidate gets a share here
    /// (minDatacenters 3); `ActiveActiveZeroShareTests` covers a candidate whose share is 0.
    @Test func aSettledDivisionIsStableOnTheNextPasses() {
        var unstable: [String] = []
        for east in 1...4 { for west in 1...4 { for eu in 1...4 { for total in 3...9 {
            let weights = [DatacenterWeight(datacenter: "us-east", weight: east), DatacenterWeight(datacenter: "us-west", weight: west), DatacenterWeight(datacenter: "eu-central", weight: eu)]
            let spec = ServiceFailoverSpec(
                service: "web", primary: "us-east", mode: .activeActive, replicas: total, placement: PlacementSpec(weights: weights, minDatacenters: 3),
                policy: FailoverPolicy(unhealthyForSeconds: 5, failback: .manual, stabilizationSeconds: 120))
            let empty = Dictionary(uniqueKeysWithValues: Self.names.map { ($0, 0) })
            let first = planActiveActive(Self.input(spec, status: nil, sites: Self.names.map { Self.ready($0, 0) }, desired: empty, now: 0))
            var placed = empty
            for (dc, n) in Self.scales(first) { placed[dc] = n }
            let running = Self.names.map { Self.ready($0, placed[$0] ?? 0) }
            let second = planActiveActive(Self.input(spec, status: first.status, sites: running, desired: placed, now: 10))
            let third = planActiveActive(Self.input(spec, status: second.status, sites: running, desired: placed, now: 20))
            if !Self.scales(second).isEmpty || !Self.scales(third).isEmpty {
                unstable.append("weights \(east):\(west):\(eu) total \(total): \(placed) then \(Self.scales(second)) then \(Self.scales(third))")
            }
        } } } }
        #expect(unstable.isEmpty, "\(unstable.count) settled divisions moved on a pass with the same inputs: \(unstable.prefix(5))")
    }

    @Test func aShortfallIsReportedNeverOvercommitted() {
        let sites = [Self.ready("us-east", 0, capacity: 2), Self.ready("us-west", 0, capacity: 3), Self.ready("eu-central", 0, capacity: 4)]
        let plan = planActiveActive(Self.input(status: nil, sites: sites, desired: ["us-east": 0, "us-west": 0, "eu-central": 0], now: 0))
        #expect(Self.scales(plan) == ["us-east": 2, "us-west": 3, "eu-central": 4])
        #expect(plan.status.unplacedReplicas == 3)
        let placed = ["us-east": 2, "us-west": 3, "eu-central": 4]
        let ready = planActiveActive(Self.input(status: plan.status, sites: sites.map { Self.ready($0.name, placed[$0.name]!, capacity: $0.capacityReplicas) }, desired: placed, now: 2))
        #expect(ready.status.phase == .degraded)
        #expect(ready.status.conditions.condition("Ready")?.reason == ServiceFailover.Reason.insufficientCapacity)
        #expect(ready.status.conditions.condition("Ready")?.message.contains("3 of 12 replicas have no room") == true)
        // Settled short: only a change of capacity or spec helps (kstatus Stalled), said the same way.
        #expect(ready.status.conditions.isTrue("Stalled"))
        #expect(ready.status.conditions.condition("Stalled")?.reason == ServiceFailover.Reason.insufficientCapacity)
    }
}
