import FederationAPI
import Foundation

/// Checks the ActiveActive invariants: at each decision, after each applied effect, and at the end
/// of every step. Room, candidates and health windows are judged here from the pass's input and
/// the hub's probes, independently of the division and the planner under test.
struct ActiveActiveChecker: Sendable {
    let config: SimulationConfig
    let services: Int
    /// No ActivePassive services run: the two invariants shared with them are counted here.
    let sharesChecks: Bool
    var checks = 0
    var settledAfter: Int?

    init(config: SimulationConfig, services: Int, sharesChecks: Bool) {
        self.config = config
        self.services = services
        self.sharesChecks = sharesChecks
    }

    /// The replicas `datacenter` may still take for this service in `input`'s view: its capacity
    /// minus what every other federated workload placed there, and `maxReplicasPerDatacenter`
    /// (nil when unbounded).
    static func room(_ datacenter: String, in input: ActiveActiveInput) -> Int? {
        let site = input.sites[datacenter]
        let capacity = site?.capacityReplicas.map { $0 - (site?.placedReplicas ?? 0) }
        let limits = [capacity, input.spec.placement?.maxReplicasPerDatacenter].compactMap { $0 }
        return limits.min().map { max(0, $0) }
    }

    /// The share the persisted status gives `datacenter`.
    static func planned(_ datacenter: String, in input: ActiveActiveInput) -> Int {
        input.status?.datacenters.first { $0.name == datacenter }?.desiredReplicas ?? 0
    }

    /// Whether the last pass divided over `datacenter` (its status role is `Active`), a share of 0 included.
    static func wasCandidate(_ datacenter: String, in input: ActiveActiveInput) -> Bool {
        input.status?.datacenters.first { $0.name == datacenter }?.role == .active
    }

    /// Looks at a pass's decision before it runs: the status accounts for every replica, the
    /// placement spreads over `minDatacenters` whenever enough datacenters surely qualify, and a
    /// datacenter that ran nothing gets a share only after its window (or when a person asked,
    /// the spec changed, or at the first placement).
    func decided(plan: ServicePlan, input: ActiveActiveInput, step: Int, now: Date, hub: SimulatedHub, upSince: [Date?]) -> Violation? {
        let name = input.spec.service
        let total = max(0, input.spec.replicas ?? 0)
        let target = Dictionary(plan.status.datacenters.map { ($0.name, $0.desiredReplicas ?? 0) }, uniquingKeysWith: { a, _ in a })
        let placed = target.values.reduce(0, +), unplaced = plan.status.unplacedReplicas ?? 0
        if placed + unplaced != total || unplaced < 0 {
            return Violation(
                invariant: .replicasAccounted, step: step,
                detail: "\(name) places \(placed) and reports \(unplaced) unplaced of spec.replicas \(total): \(ActiveActivePlanner.describe(target))")
        }
        let firstPlacement = ActiveActivePlanner.nothingDivided(input.status)
        let exempt = firstPlacement || input.status?.observedGeneration != input.generation || input.rebalanceRequested
        // Surely a candidate: selected, Ready, not cordoned, weighted, with room, and either placed
        // already or allowed to join without a window.
        let placement = input.spec.placement ?? PlacementSpec()
        let sure = input.selected.filter { dc in
            guard let site = input.sites[dc], site.phase == .ready, !site.unschedulable, placement.weight(of: dc) > 0 else { return false }
            guard Self.room(dc, in: input).map({ $0 >= 1 }) ?? true else { return false }
            return Self.planned(dc, in: input) > 0 || Self.wasCandidate(dc, in: input) || exempt
        }
        let wanted = min(placement.effectiveMinDatacenters, total)
        let spread = target.values.filter { $0 > 0 }.count
        if sure.count >= wanted, spread < wanted {
            return Violation(
                invariant: .minDatacentersKept, step: step,
                detail: "\(name) runs in \(spread) datacenters (minDatacenters \(placement.effectiveMinDatacenters)) although \(sure.sorted().joined(separator: ",")) had room: "
                    + ActiveActivePlanner.describe(target))
        }
        // A datacenter left out of the division (its status role not Active) must wait for failback;
        // and a lost one is always left out, so a returning datacenter can never skip the window.
        for dc in plan.status.datacenters where dc.role == .active {
            guard let site = input.sites[dc.name], site.phase == .unreachable, let since = site.unhealthySince,
                input.now.timeIntervalSince(since) >= TimeInterval(input.spec.effectivePolicy.effectiveUnhealthyForSeconds)
            else { continue }
            return Violation(
                invariant: .noEarlyFailback, step: step,
                detail: "\(name) kept \(dc.name) in the division although it is lost (Unreachable for \(Int(input.now.timeIntervalSince(since))) s)")
        }
        guard !exempt else { return nil }
        let policy = input.spec.effectivePolicy
        let window = TimeInterval(policy.effectiveStabilizationSeconds)
        // Only a datacenter the last status listed returns; one newly selected joins at once.
        let listed = Set(input.status?.datacenters.map(\.name) ?? [])
        for (dc, share) in target.sorted(by: { $0.key < $1.key })
        where share > 0 && Self.planned(dc, in: input) == 0 && !Self.wasCandidate(dc, in: input) && listed.contains(dc) {
            let i = hub.names.firstIndex(of: dc)
            let ready = i.map { hub.statuses[$0]?.phase == .ready } ?? false
            let healthyFor = i.flatMap { upSince[$0] }.map { now.timeIntervalSince($0) }
            if policy.effectiveFailback == .automatic, ready, let healthyFor, healthyFor >= window { continue }
            let health = healthyFor.map { "after \(Int($0)) s of continuous health" } ?? "while it is not up"
            return Violation(
                invariant: .noEarlyFailback, step: step,
                detail: "\(name) gave \(dc) a share of \(share) \(health) (failback \(policy.effectiveFailback.rawValue), window \(Int(window)) s, nobody asked)")
        }
        return nil
    }

    /// Checks the moment after an effect applied: a scale-up never sets more than the room the
    /// controller saw, and a scale-down comes only once every placed datacenter it reaches runs ready
    /// what its spec asked (up to its share), and never takes what the reachable datacenters run below
    /// their shares' total (make-before-break, a step at a time: the ready total never drops below the
    /// smaller of the old and new totals).
    func applied(_ effect: ServiceEffect, plan: ServicePlan, input: ActiveActiveInput, step: Int) -> Violation? {
        guard case .scale(let datacenter, let replicas) = effect else { return nil }
        let name = input.spec.service
        // A scale-down toward the room (a step of a move off a datacenter others filled) overcommits nothing.
        if replicas > 0, replicas > input.desiredReplicas[datacenter] ?? 0, let room = Self.room(datacenter, in: input), replicas > room {
            return Violation(
                invariant: .placementWithinCapacity, step: step,
                detail: "\(name) scaled \(datacenter) to \(replicas) with room for \(room) (capacity \(input.sites[datacenter]?.capacityReplicas.map(String.init) ?? "∞"), "
                    + "\(input.sites[datacenter]?.placedReplicas ?? 0) placed by others, maxReplicasPerDatacenter \(input.spec.placement?.maxReplicasPerDatacenter.map(String.init) ?? "-"))")
        }
        if replicas > input.desiredReplicas[datacenter] ?? 0, let surge = Self.surgeBeyond(plan: plan, through: effect, input: input) {
            return Violation(
                invariant: .makeBeforeBreak, step: step,
                detail: "\(name) scaled \(datacenter) up to \(replicas), asking for \(surge.asked) replicas in reachable datacenters whose shares total \(surge.shares) (surge bound \(surge.bound))")
        }
        guard replicas < input.desiredReplicas[datacenter] ?? 0 else { return nil }
        let unready = plan.status.datacenters.filter { dc in
            let share = dc.desiredReplicas ?? 0
            let asked = min(share, input.desiredReplicas[dc.name] ?? share)
            return share > 0 && input.reachable(dc.name) && (input.sites[dc.name]?.readyReplicas ?? 0) < asked
        }
        if let first = unready.first {
            return Violation(
                invariant: .makeBeforeBreak, step: step,
                detail: "\(name) scaled \(datacenter) down to \(replicas) while \(first.name) had \(input.sites[first.name]?.readyReplicas ?? 0) of the "
                    + "\(min(first.desiredReplicas ?? 0, input.desiredReplicas[first.name] ?? 0)) its spec asked ready")
        }
        // What the reachable datacenters keep running through the plan's scale-downs (its scale-ups are not ready yet).
        var after: [String: Int] = [:]
        for case .scale(let dc, let n) in plan.effects { after[dc] = n }
        var kept = 0, shares = 0
        for dc in plan.status.datacenters where input.reachable(dc.name) {
            let before = input.desiredReplicas[dc.name] ?? 0
            kept += min(before, after[dc.name] ?? before)
            shares += dc.desiredReplicas ?? 0
        }
        guard kept < shares else { return nil }
        return Violation(
            invariant: .makeBeforeBreak, step: step,
            detail: "\(name) scaled \(datacenter) down to \(replicas), leaving \(kept) replicas running in reachable datacenters whose shares total \(shares)")
    }

    /// What the reachable datacenters are asked for once a plan's effects up to `effect` applied,
    /// when that is more than their shares' total plus a quarter of `spec.replicas` (at least 1), and
    /// more than they asked for before: a planned move runs a step at a time. Nil otherwise.
    static func surgeBeyond(plan: ServicePlan, through effect: ServiceEffect, input: ActiveActiveInput) -> (asked: Int, shares: Int, bound: Int)? {
        var after: [String: Int] = [:]
        for applied in plan.effects {
            if case .scale(let dc, let n) = applied { after[dc] = n }
            if applied == effect { break }
        }
        var before = 0, asked = 0, shares = 0
        for dc in plan.status.datacenters where input.reachable(dc.name) {
            let current = input.desiredReplicas[dc.name] ?? 0
            before += current
            asked += after[dc.name] ?? current
            shares += dc.desiredReplicas ?? 0
        }
        let bound = max(1, ((input.spec.replicas ?? 0) + 3) / 4)
        return asked > shares + bound && asked > before ? (asked, shares, bound) : nil
    }

    /// Counts the step's checks; once the heal is `activeActiveSettleBound` steps old, every service must
    /// be settled.
    mutating func endOfStep(step: Int, services: [SimulatedActiveActive], counts: inout ServiceCounts) -> Violation? {
        checks += Invariant.activeActiveInvariants.count + (sharesChecks ? 2 : 0)
        guard step >= config.healStep else { return nil }
        let unsettled = services.compactMap { service in Self.unsettled(service).map { "\(service.name): \($0)" } }
        if unsettled.isEmpty, settledAfter == nil { settledAfter = step - config.healStep }
        if !unsettled.isEmpty { settledAfter = nil }
        if let first = unsettled.first, step >= config.healStep + config.activeActiveSettleBound {
            return Violation(invariant: .servicesSettleAfterHeal, step: step, detail: "\(config.activeActiveSettleBound)+ steps after the heal: \(first)")
        }
        counts.activeActiveSettledAfter = settledAfter
        return nil
    }

    /// Why an ActiveActive service is not settled, or nil: no redistribution in flight, every placed
    /// datacenter running its share ready, nothing running outside the placement, and discovery
    /// routing to exactly the placed datacenters.
    static func unsettled(_ service: SimulatedActiveActive) -> String? {
        guard let status = service.status else { return "no status written yet" }
        if service.moving { return "a redistribution is still in flight" }
        let placed = status.datacenters.filter { ($0.desiredReplicas ?? 0) > 0 }
        for dc in placed {
            let share = dc.desiredReplicas ?? 0
            if service.desired(dc.name) != share || service.ready(dc.name) < share {
                return "\(dc.name) runs \(service.desired(dc.name)) (\(service.ready(dc.name)) ready) of its share \(share)"
            }
        }
        let stray = service.workloads.filter { $0.value.desired > 0 && service.planned($0.key) == 0 }.keys.sorted()
        if !stray.isEmpty { return "replicas left in \(stray.joined(separator: ", ")) outside the placement" }
        let routes = placed.map(\.name).sorted()
        if service.routed.sorted() != routes { return "discovery routes to [\(service.routed.joined(separator: ","))], the placement is [\(routes.joined(separator: ","))]" }
        return nil
    }
}
