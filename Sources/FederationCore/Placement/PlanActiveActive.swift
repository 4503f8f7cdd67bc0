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
/// (Unreachable for `unhealthyForSeconds`). A datacenter that runs nothing now joins only at the
/// first placement, after a spec change, on a rebalance request, or, with `failback: Automatic`,
/// once it has been Ready for `stabilizationSeconds`; so a returning datacenter gets its share
/// back after the window and never before. Changes are make-before-break: datacenters that gain
/// scale up first; those that lose scale down only once every gaining one has its replicas ready,
/// so the ready total never drops below the smaller of the old and new totals. Discovery routes to
/// every placed datacenter with ready endpoints; a lost one leaves it once the others are ready.
public func planActiveActive(_ input: ActiveActiveInput) -> ServicePlan {
    var planner = ActiveActivePlanner(input)
    planner.plan()
    return ServicePlan(effects: planner.effects, status: planner.status, requeueAfter: planner.requeue)
}

struct ActiveActivePlanner {
    let input: ActiveActiveInput
    var status: ServiceFailoverStatus
    var effects: [ServiceEffect] = []
    var requeue: TimeInterval?

    init(_ input: ActiveActiveInput) {
        self.input = input
        status = input.status ?? ServiceFailoverStatus()
    }

    var policy: FailoverPolicy { input.spec.effectivePolicy }
    var placement: PlacementSpec { input.spec.placement ?? PlacementSpec() }
    var now: Date { input.now }

    /// What runs where now: the member's spec when read, else what status last recorded.
    func current(_ dc: String) -> Int {
        input.desiredReplicas[dc] ?? status.datacenters.first { $0.name == dc }?.desiredReplicas ?? 0
    }

    /// The share the last pass planned there (its status): a returning datacenter's stale copy
    /// does not make it a candidate again.
    func planned(_ dc: String) -> Int { status.datacenters.first { $0.name == dc }?.desiredReplicas ?? 0 }

    func ready(_ dc: String) -> Int { input.reachable(dc) ? input.sites[dc]?.readyReplicas ?? 0 : 0 }

    mutating func wake(after seconds: TimeInterval) { requeue = min(requeue ?? seconds, max(0.5, seconds)) }

    /// Lost: Unreachable since at least `unhealthyForSeconds` ago (from the Datacenter's persisted status).
    mutating func lost(_ dc: String) -> Bool {
        guard let site = input.sites[dc], site.phase == .unreachable else { return false }
        let elapsed = now.timeIntervalSince(site.unhealthySince ?? now)
        let wait = TimeInterval(policy.effectiveUnhealthyForSeconds)
        if elapsed < wait { wake(after: wait - elapsed) }
        return elapsed >= wait
    }

    /// May a datacenter that runs nothing now receive a share?
    mutating func mayJoin(_ dc: String) -> Bool {
        guard let site = input.sites[dc], site.phase == .ready, site.hasWorkload else { return false }
        let firstPlacement = status.datacenters.isEmpty
        let specChanged = status.observedGeneration != input.generation
        if firstPlacement || specChanged || input.rebalanceRequested { return true }
        guard policy.effectiveFailback == .automatic, let since = site.readySince else { return false }
        let elapsed = now.timeIntervalSince(since)
        let window = TimeInterval(policy.effectiveStabilizationSeconds)
        if elapsed < window { wake(after: window - elapsed) }
        return elapsed >= window
    }

    mutating func plan() {
        let involved = Set(input.selected).union(status.datacenters.filter { ($0.desiredReplicas ?? 0) > 0 }.map(\.name)).union(input.desiredReplicas.filter { $0.value > 0 }.keys)
        let names = involved.sorted()
        var lostNames: Set<String> = []
        var candidates: [DivisionCandidate] = []
        for dc in names {
            if lost(dc) {
                lostNames.insert(dc)
                continue
            }
            guard input.selected.contains(dc), let site = input.sites[dc], !site.unschedulable else { continue }
            guard planned(dc) > 0 || mayJoin(dc) else { continue }
            candidates.append(DivisionCandidate(name: dc, weight: placement.weight(of: dc), room: site.freeReplicas, current: planned(dc)))
        }
        let total = max(0, input.spec.replicas ?? 0)
        let division = ReplicaDivision.divide(
            total: total, over: candidates, maxReplicasPerDatacenter: placement.maxReplicasPerDatacenter, minDatacenters: placement.effectiveMinDatacenters)
        let target = division.replicas
        let gaining = names.filter { (target[$0] ?? 0) > current($0) }
        let losing = names.filter { (target[$0] ?? 0) < current($0) }
        for dc in gaining where input.reachable(dc) && input.desiredReplicas[dc] != target[dc] {
            effects.append(.scale(datacenter: dc, replicas: target[dc] ?? 0))
        }
        // Make-before-break: nothing scales down until every reachable placed datacenter has its share ready.
        let gainedReady = target.filter { $0.value > 0 && input.reachable($0.key) }.allSatisfy { ready($0.key) >= $0.value }
        if gainedReady {
            for dc in losing where input.reachable(dc) { effects.append(.scale(datacenter: dc, replicas: target[dc] ?? 0)) }
        }
        // Route to every placed datacenter that serves; a lost one stays listed until the others are ready.
        let routed = names.filter { dc in
            let placed = (target[dc] ?? 0) > 0 || current(dc) > 0
            if lostNames.contains(dc) { return !gainedReady && placed }
            return placed && ready(dc) > 0
        }
        effects.append(.route(to: routed))
        // In flight while a placed datacenter is not ready; the losing ones scale down in the pass that sees them ready.
        let moving = !gainedReady
        record(target: target, lost: lostNames, moving: moving)
        if moving { wake(after: ServicePlanner.moveRecheckSeconds) }
        status.activeDatacenter = nil
        status.unplacedReplicas = division.unplaced > 0 ? division.unplaced : nil
        status.datacenters = names.filter { input.selected.contains($0) || (target[$0] ?? 0) > 0 || current($0) > 0 }.map { dc in
            ServiceDatacenterStatus(
                name: dc, role: .active, reachable: input.reachable(dc), desiredReplicas: target[dc] ?? 0, readyReplicas: ready(dc),
                endpoints: status.datacenters.first { $0.name == dc }?.endpoints)
        }
        status.phase = moving ? .progressing : division.unplaced > 0 || division.spreadShort ? .degraded : .active
        summarize(total: total, target: target, division: division)
        status.observedGeneration = input.generation
    }

    /// The placement as one line, such as `us-east=6,us-west=3,eu-central=3`.
    static func describe(_ placement: [String: Int]) -> String {
        placement.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// A history entry per redistribution: started when the division changes, completed once the
    /// gaining datacenters are ready and the losing ones scaled down.
    mutating func record(target: [String: Int], lost: Set<String>, moving: Bool) {
        let previous = Dictionary(status.datacenters.map { ($0.name, $0.desiredReplicas ?? 0) }, uniquingKeysWith: { a, _ in a })
        let before = Self.describe(previous), after = Self.describe(target)
        if before != after, !status.datacenters.isEmpty {
            let reason = !lost.isEmpty && lost.contains(where: { (previous[$0] ?? 0) > 0 }) ? ServiceFailover.Reason.datacenterUnreachable
                : status.observedGeneration != input.generation ? ServiceFailover.Reason.placementChanged : ServiceFailover.Reason.rebalance
            status.lastTransition = FailoverTransition(from: before, to: after, reason: reason, startedAt: KubeTime(now))
            effects.append(.event(warning: reason == ServiceFailover.Reason.datacenterUnreachable, reason: "\(reason)Started", message: "redistributing \(before) → \(after)"))
        }
        if !moving, var move = status.lastTransition, move.completedAt == nil {
            move.completedAt = KubeTime(now)
            move.durationSeconds = (now.timeIntervalSince(move.startedAt.date) * 1000).rounded() / 1000
            status.lastTransition = move
            status.history = Array(([move] + status.history).prefix(ServiceFailover.historyLimit))
            effects.append(.event(warning: false, reason: "\(move.reason)Completed", message: "placement is \(move.to) (\(move.durationSeconds ?? 0) s)"))
        }
    }

    mutating func summarize(total: Int, target: [String: Int], division: ReplicaDivision) {
        let readyTotal = target.keys.reduce(0) { $0 + ready($1) }
        let placed = target.values.reduce(0, +)
        let moving = status.phase == .progressing
        func set(_ type: String, _ value: Bool, _ reason: String, _ message: String) {
            status.conditions.set(Condition(
                type: type, status: value ? .true : .false, observedGeneration: input.generation, lastTransitionTime: KubeTime(now), reason: reason,
                message: message))
        }
        let minimum = max(1, policy.effectiveMinReadyReplicas)
        let available = readyTotal >= min(minimum, max(total, 1))
        set(ServiceFailover.ConditionType.available, available,
            available ? ServiceFailover.Reason.minimumReplicasAvailable : ServiceFailover.Reason.minimumReplicasUnavailable,
            "\(readyTotal) of \(total) replicas ready across \(target.count) datacenters")
        set(ServiceFailover.ConditionType.failedOver, false, ServiceFailover.Reason.activeActive, "ActiveActive: the division is \(Self.describe(target))")
        let message = moving ? "moving to \(Self.describe(target))" : "placed \(Self.describe(target))"
        set(ServiceFailover.ConditionType.progressing, moving, moving ? ServiceFailover.Reason.scalingUpTarget : ServiceFailover.Reason.stable, message)
        set(ServiceFailover.ConditionType.reconciling, moving, moving ? ServiceFailover.Reason.scalingUpTarget : ServiceFailover.Reason.stable, message)
        set(ServiceFailover.ConditionType.stalled, false, ServiceFailover.Reason.stable, "making progress")
        let short = division.unplaced > 0
            ? "\(division.unplaced) of \(total) replicas have no room in any candidate datacenter (capacity or maxReplicasPerDatacenter)"
            : division.spreadShort ? "fewer than minDatacenters \(placement.effectiveMinDatacenters) candidate datacenters have room" : nil
        let allReady = target.allSatisfy { ready($0.key) >= $0.value }
        let readyNow = !moving && short == nil && allReady && placed == total
        let reason = moving ? ServiceFailover.Reason.scalingUpTarget : short != nil ? ServiceFailover.Reason.insufficientCapacity
            : allReady ? ServiceFailover.Reason.minimumReplicasAvailable : ServiceFailover.Reason.minimumReplicasUnavailable
        set(ServiceFailover.ConditionType.ready, readyNow, reason, short ?? (readyNow ? "\(readyTotal) of \(total) replicas ready: \(Self.describe(target))" : message))
    }
}
