import FederationAPI
import Foundation

/// Everything `planActiveActive` reads: the object, and every datacenter it may run in as
/// persisted status shows them.
public struct ActiveActiveInput: Hashable, Sendable {
    /// The ServiceFailover's spec (`mode: ActiveActive`).
    public var spec: ServiceFailoverSpec
    /// Its status as read (nil before the first write).
    public var status: ServiceFailoverStatus?
    /// Every Datacenter the placement selects or the service still runs in, with the workload's ready replicas.
    public var sites: [String: SiteHealth]
    /// The Datacenters `spec.placement.datacenterSelector` selects.
    public var selected: Set<String>
    /// The workload's replicas in each reachable member as its spec says (absent: unknown or no copy).
    public var desiredReplicas: [String: Int]
    /// A person asked for a rebalance (`concord service rebalance` or the annotation).
    public var rebalanceRequested: Bool
    /// The current time.
    public var now: Date
    /// `metadata.generation`: a changed spec re-places at once.
    public var generation: Int64?

    /// Creates an input.
    public init(
        spec: ServiceFailoverSpec, status: ServiceFailoverStatus?, sites: [String: SiteHealth], selected: Set<String>, desiredReplicas: [String: Int],
        rebalanceRequested: Bool = false, now: Date, generation: Int64? = nil
    ) {
        self.spec = spec
        self.status = status
        self.sites = sites
        self.selected = selected
        self.desiredReplicas = desiredReplicas
        self.rebalanceRequested = rebalanceRequested
        self.now = now
        self.generation = generation
    }

    /// True when the controller reaches `datacenter` (Ready or Suspect).
    public func reachable(_ datacenter: String) -> Bool {
        guard let phase = sites[datacenter]?.phase else { return false }
        return phase == .ready || phase == .suspect
    }
}

/// Plans one pass of an ActiveActive ServiceFailover, from persisted state only.
///
/// The division (``ReplicaDivision/divide(total:over:maxReplicasPerDatacenter:minDatacenters:)``)
/// runs over the candidates: the selected datacenters that are not cordoned and not lost
/// (Unreachable for `unhealthyForSeconds`). Status records them with role `Active` (a share of 0
/// included). A datacenter the last status listed but left out of its division (lost, cordoned, not
/// Ready) joins only at the first placement, after a spec change, on a rebalance request, or, with
/// `failback: Automatic`, once it has been Ready for `stabilizationSeconds`; so a returning datacenter
/// gets its share back after the window and never before. One newly selected (not listed) joins at once. Changes are make-before-break and a step at a time (``PlacementStep``):
/// datacenters that gain scale up first, at most a quarter of the total above it; those that lose
/// scale down, in a pass of their own, only once every gaining one runs ready what it was given, so
/// the ready total never drops below the smaller of the old and new totals. A lost datacenter's
/// share is not surge: it is placed elsewhere at once. Discovery routes to every placed datacenter
/// with ready endpoints; a lost one leaves it once the others are ready.
public func planActiveActive(_ input: ActiveActiveInput) -> ServicePlan {
    var planner = ActiveActivePlanner(input)
    planner.plan(input)
    return ServicePlan(effects: planner.effects, status: planner.status, requeueAfter: planner.requeue)
}

/// One pass's decisions. It keeps only the few input fields it reads after the start (the input
/// is lent to ``plan(_:)`` rather than copied, which would retain every array and string in it).
struct ActiveActivePlanner {
    /// The input's `generation`.
    let generation: Int64?
    /// The input's `rebalanceRequested`.
    let rebalanceRequested: Bool
    /// The input's time.
    let now: Date
    let policy: FailoverPolicy
    let placement: PlacementSpec
    var status: ServiceFailoverStatus
    var effects: [ServiceEffect] = []
    var requeue: TimeInterval?
    /// Whether a datacenter that runs nothing joins without a window: the first placement, a changed
    /// spec, or a person's rebalance request (read once per pass, not per datacenter).
    let joinsAtOnce: Bool
    /// A returning datacenter waits for its stabilization window (`failback: Automatic`): a shortfall
    /// meanwhile is not settled, since it joins when the window ends.
    var waitingForWindow = false

    init(_ input: ActiveActiveInput) {
        generation = input.generation
        rebalanceRequested = input.rebalanceRequested
        now = input.now
        status = input.status ?? ServiceFailoverStatus()
        policy = input.spec.effectivePolicy
        placement = input.spec.placement ?? PlacementSpec()
        joinsAtOnce = Self.nothingDivided(input.status) || input.status?.observedGeneration != input.generation || input.rebalanceRequested
    }

    mutating func wake(after seconds: TimeInterval) { requeue = min(requeue ?? seconds, max(0.5, seconds)) }

    /// Lost: Unreachable since at least `unhealthyForSeconds` ago (from the Datacenter's persisted status).
    mutating func lost(_ site: PlacementView.Site?) -> Bool {
        guard let site, site.phase == .unreachable else { return false }
        let elapsed = now.timeIntervalSince(site.unhealthySince ?? now)
        let wait = TimeInterval(policy.effectiveUnhealthyForSeconds)
        if elapsed < wait { wake(after: wait - elapsed) }
        return elapsed >= wait
    }

    /// May a datacenter that runs nothing now receive a share? One the last status did not list
    /// (`listed` false: just selected, never left out of this service's placement) is no returning
    /// datacenter and waits for no window.
    mutating func mayJoin(_ site: PlacementView.Site, listed: Bool = true) -> Bool {
        guard site.phase == .ready, site.hasWorkload else { return false }
        if joinsAtOnce || !listed { return true }
        guard policy.effectiveFailback == .automatic, let since = site.readySince else { return false }
        let elapsed = now.timeIntervalSince(since)
        let window = TimeInterval(policy.effectiveStabilizationSeconds)
        if elapsed < window {
            wake(after: window - elapsed)
            waitingForWindow = true
        }
        return elapsed >= window
    }

    /// True until a pass has divided over some datacenter (none listed with role `Active`): the
    /// first placement, which waits for no window. A first pass that found no candidate (every
    /// datacenter still Pending, say) leaves the next one a first placement too; so does a service
    /// whose every datacenter was lost, which runs nowhere and comes back as soon as one is Ready.
    static func nothingDivided(_ status: ServiceFailoverStatus?) -> Bool {
        !(status?.datacenters.contains { $0.role == .active } ?? false)
    }

    mutating func plan(_ input: ActiveActiveInput) {
        var view = PlacementView(input, recorded: status.datacenters)
        view.weigh(placement.weights ?? [])
        var candidates: [DivisionCandidate] = [], slots: [Int] = []
        candidates.reserveCapacity(view.entries.count)
        slots.reserveCapacity(view.entries.count)
        for i in view.entries.indices {
            let entry = view.entries[i]
            if lost(entry.site) {
                view.entries[i].lost = true
                continue
            }
            guard entry.selected, let site = entry.site, !site.unschedulable else { continue }
            // A datacenter the last pass divided over stays a candidate even with a share of 0: only
            // one left out (lost, cordoned, not Ready) waits for failback to join again.
            guard entry.planned > 0 || entry.wasCandidate || mayJoin(site, listed: entry.recordedAt >= 0) else {
                if site.phase == .ready && site.hasWorkload && policy.effectiveFailback == .manual {
                    view.entries[i].awaitsRebalance = true
                    view.awaitingRebalance = true
                }
                continue
            }
            candidates.append(DivisionCandidate(name: view.names[i], weight: entry.weight, room: site.freeReplicas, current: entry.planned))
            slots.append(i)
            view.entries[i].candidate = true
        }
        let total = max(0, input.spec.replicas ?? 0)
        let division = ReplicaDivision.shares(
            total: total, over: candidates, maxReplicasPerDatacenter: placement.maxReplicasPerDatacenter, minDatacenters: placement.effectiveMinDatacenters,
            inNameOrder: true)
        for (c, i) in slots.enumerated() { view.entries[i].target = division.replicas[c] }
        scaleInSteps(view, total: total)
        // Every reachable placed datacenter has its share ready, as a status that describes its current spec says.
        let gainedReady = view.entries.allSatisfy { $0.target == 0 || !$0.reachable || ($0.ready >= $0.target && $0.site?.statusCurrent != false) }
        // Route to every placed datacenter that serves; a lost one stays listed until the others are
        // ready. One unreachable but not lost yet (within `unhealthyForSeconds`) keeps its route and the
        // endpoints last seen there: nothing acts on a datacenter's loss before it is lost, so a short
        // cut between the controller and one member does not take its endpoints out of every member.
        // A datacenter without a share is routed only while it gives its replicas up in the move in
        // flight: the last pass placed some there, or the move started from a division that did. A
        // returning datacenter's stale copy, placed by no division since it was lost, is not.
        var routed: [String] = []
        routed.reserveCapacity(view.entries.count)
        let movingFrom = Self.placedBefore(status.lastTransition)
        for (i, e) in view.entries.enumerated() where e.target > 0 || e.planned > 0 || (!movingFrom.isEmpty && movingFrom.contains(view.names[i])) {
            let serves = e.lost ? !gainedReady : e.reachable ? e.ready > 0 : e.site != nil && e.current > 0
            if serves { routed.append(view.names[i]) }
            if e.target > 0, !e.reachable, !e.lost, e.site != nil { view.awaitingLoss = true }
        }
        effects.append(.route(to: routed))
        // In flight until every reachable datacenter runs its share, by a status that describes it:
        // the losing ones scale down in the pass that sees the others ready, and the pass after that
        // still finds them running more than their share.
        let moving = !gainedReady || view.entries.contains { $0.reachable && ($0.current != $0.target || $0.site?.statusCurrent == false) }
        // This pass's division in one line, which the history and the conditions' messages copy.
        let described = place(view)
        record(view, moving: moving, described: described)
        if moving { wake(after: ServicePlanner.moveRecheckSeconds) }
        status.activeDatacenter = nil
        status.unplacedReplicas = division.unplaced > 0 ? division.unplaced : nil
        list(view)
        status.phase = moving ? .progressing : division.unplaced > 0 || division.spreadShort ? .degraded : .active
        summarize(total: total, view: view, unplaced: division.unplaced, spreadShort: division.spreadShort, described: described)
        status.observedGeneration = generation
    }

    /// The datacenters the division a move in flight started from placed replicas in (none when no
    /// move is in flight): `from` reads like `eu-central=3,us-east=6`.
    static func placedBefore(_ move: FailoverTransition?) -> Set<String> {
        Set(FailoverTransition.inFlightDivision(move).filter { $0.replicas > 0 }.map { String($0.datacenter) })
    }

    /// Scales the reachable datacenters toward the division a step at a time. While the reachable
    /// ones run more than their shares' total, those that lose give back the excess, once every
    /// reachable one with a share runs ready what its spec asks so far (make-before-break), and
    /// nothing scales up in that pass; otherwise the gaining ones scale up, the reachable datacenters
    /// asking for at most ``PlacementStep/surge(total:)`` replicas above that total. Replicas that do
    /// not run (a lost datacenter's, a raised total) are no surge, so they are placed at once.
    mutating func scaleInSteps(_ view: PlacementView, total: Int) {
        let entries = view.entries
        var placed = 0, running = 0, moves = false
        // Only the reachable datacenters count, and only the replicas their specs were read to ask for.
        for e in entries where e.reachable {
            placed += e.target
            running += e.desired ?? 0
            if e.current != e.target { moves = true }
        }
        guard moves else { return }
        let stepReady = entries.allSatisfy { $0.target == 0 || !$0.reachable || ($0.ready >= min($0.target, $0.current) && $0.site?.statusCurrent != false) }
        if running > placed {
            // Give back what runs above the total, once the gainers run their step ready; the next
            // step's scale-up waits for the next pass, so the replicas asked for never exceed the surge.
            guard stepReady else { return }
            let down = PlacementStep.level(entries.map { $0.reachable && $0.current > $0.target ? $0.current - $0.target : 0 }, take: running - placed)
            for (i, e) in entries.enumerated() where down[i] > 0 {
                effects.append(.scale(datacenter: view.names[i], replicas: e.current - down[i]))
            }
            if down.contains(where: { $0 > 0 }) { return }
        }
        let room = placed + PlacementStep.surge(total: total) - running
        let up = PlacementStep.level(entries.map { $0.reachable && $0.target > $0.current ? $0.target - $0.current : 0 }, take: room)
        for (i, e) in entries.enumerated() where up[i] > 0 && e.desired != e.current + up[i] {
            effects.append(.scale(datacenter: view.names[i], replicas: e.current + up[i]))
        }
    }
}
