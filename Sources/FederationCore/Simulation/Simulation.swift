import FederationAPI
import Foundation

/// Deterministic simulation of the federation core under seeded faults.
///
/// A schedule is a pure function of its seed and configuration: the policy settings, member
/// priorities and latencies, every fault, every lost message and every person's action come from
/// one ``SimulationRandom``. The same seed therefore replays the same steps and the same trace.
public enum Simulation {
    /// Runs one schedule with `rules` (the real FederationCore decisions by default); stops at the
    /// first violation.
    public static func run(seed: UInt64, config: SimulationConfig, rules: SimulationRules = .standard) -> ScheduleResult {
        var schedule = Schedule(seed: seed, config: config, rules: rules)
        return schedule.run()
    }
}

/// What one schedule did.
public struct ScheduleResult: Hashable, Sendable {
    /// The seed that produced it.
    public var seed: UInt64
    /// Steps run (fewer than configured when a violation stopped it).
    public var steps: Int
    /// Invariant checks run.
    public var checks: Int
    /// Faults injected, by kind.
    public var faults: [FaultKind: Int]
    /// Actions of a person, by kind.
    public var operations: [OperationKind: Int]
    /// Epoch raises (promotions, handovers, failbacks).
    public var promotions: Int
    /// Hub passes by decision and reason, such as `promote(PrimaryUnreachable)` or `blocked(QuorumLost)`.
    public var decisions: [String: Int]
    /// Steps from the heal until exactly one primary acted; nil when never (a violation says why).
    public var settledAfter: Int?
    /// The longest run of steps with no member acting as primary (after the first primary acted):
    /// the outage faults caused, including `unreachableForSeconds` and quorum waits.
    public var longestWithoutPrimary: Int
    /// What the ServiceFailovers did.
    public var services: ServiceCounts
    /// The first broken invariant, if any.
    public var violation: Violation?
    /// What happened, bounded to the newest ``SimulationTrace/limit`` lines.
    public var trace: SimulationTrace
}

/// The state of one running schedule.
struct Schedule {
    let seed: UInt64
    let config: SimulationConfig
    let rules: SimulationRules
    var random: SimulationRandom
    var world: SimulatedWorld
    var hub: SimulatedHub
    var checker: InvariantChecker
    var fleet: ServiceFleet
    var activeActive: ActiveActiveFleet
    var faults: [ActiveFault] = []
    var trace = SimulationTrace()
    var faultCounts: [FaultKind: Int] = [:]
    var operationCounts: [OperationKind: Int] = [:]
    var promotions = 0
    var decisions: [String: Int] = [:]

    init(seed: UInt64, config: SimulationConfig, rules: SimulationRules) {
        self.seed = seed
        self.config = config
        self.rules = rules
        var random = SimulationRandom(seed: seed)
        let federation = SimulatedFederation.draw(count: config.datacenters, random: &random)
        self.random = random
        world = SimulatedWorld(names: federation.names, latencies: federation.latencies)
        hub = SimulatedHub(federation: federation)
        checker = InvariantChecker(config: config, requireQuorum: federation.policy.spec.effectivePromotion.effectiveRequireQuorum)
        let spec = federation.policy.spec, promotion = spec.effectivePromotion
        trace.log(0, "seed \(seed): \(config.datacenters) members, primary \(spec.primary), mode \(promotion.effectiveMode.rawValue), "
            + "unreachableFor \(promotion.effectiveUnreachableForSeconds)s, requireQuorum \(promotion.effectiveRequireQuorum), "
            + "candidates \(promotion.candidates.map { "[\($0.joined(separator: ","))]" } ?? "-"), failback \(spec.effectiveFailback.rawValue) "
            + "after \(spec.effectiveStabilizationSeconds)s")
        fleet = ServiceFleet(seed: seed, config: config, names: federation.names, trace: &trace)
        activeActive = ActiveActiveFleet(seed: seed, config: config, names: federation.names, trace: &trace)
    }

    mutating func run() -> ScheduleResult {
        var violation: Violation?
        var step = 0
        while step < config.steps {
            violation = advance(step)
            step += 1
            if violation != nil { break }
        }
        if let violation { trace.log(violation.step, "VIOLATION \(violation.invariant.rawValue): \(violation.detail)") }
        trace.bound()
        var services = fleet.counts
        services.merge(activeActive.counts)
        return ScheduleResult(
            seed: seed, steps: step, checks: checker.checks + fleet.checker.checks + activeActive.checker.checks, faults: faultCounts,
            operations: operationCounts, promotions: promotions, decisions: decisions, settledAfter: checker.settledAfter,
            longestWithoutPrimary: checker.longestGap, services: services, violation: violation, trace: trace)
    }

    /// One simulated second.
    mutating func advance(_ step: Int) -> Violation? {
        let ended = faults.filter { $0.until <= step || step >= config.healStep }
        faults.removeAll { $0.until <= step || step >= config.healStep }
        for fault in ended { trace.log(step, "heal \(fault.kind.rawValue) \(fault.members.map { world.members[$0].name }.joined(separator: ","))") }
        if step < config.healStep {
            if random.chance(config.faultRate) { injectFault(step) }
            if random.chance(config.operationRate) { actAsAPerson(step) }
        }
        for i in world.members.indices {
            let alive = !faults.contains { $0.kind == .crash && $0.members.contains(i) }
            if alive != world.members[i].alive {
                trace.log(step, "\(world.members[i].name) \(alive ? "restarts" : "crashes")")
                world.members[i].alive = alive
            }
        }
        world.applyLinks(faults)
        world.deliverLate(step: step, trace: &trace)

        let before = world.actingPrimaries.map { "\(world.members[$0.member].name)@\($0.epoch)" }
        let pass = hub.reconcile(step: step, world: &world, random: &random, rules: rules, trace: &trace)
        if pass.raised { promotions += 1 }
        decisions[pass.decision.kind, default: 0] += 1
        let after = world.actingPrimaries.map { "\(world.members[$0.member].name)@\($0.epoch)" }
        if before != after { trace.log(step, "acting primaries: [\(after.joined(separator: ", "))]") }

        let connected = world.members.indices.filter { world.connected($0) }.count
        let faultActive = !faults.isEmpty
        if let violation = checker.check(step: step, world: &world, status: hub.policy.status, pass: pass, connected: connected, faultActive: faultActive) {
            return violation
        }
        let faulted = Set(faults.flatMap(\.members))
        if let violation = fleet.advance(step: step, config: config, world: world, hub: hub, faulted: faulted, rules: rules, trace: &trace) {
            return violation
        }
        return activeActive.advance(step: step, config: config, world: world, hub: hub, others: fleet, rules: rules, trace: &trace)
    }

    /// A member to hit: half the time the primary in force, so failovers happen often.
    mutating func target() -> Int {
        if random.chance(0.5), let primary = hub.policy.status?.primary, let i = hub.names.firstIndex(of: primary) { return i }
        return random.int(in: 0...(config.datacenters - 1))
    }

    mutating func injectFault(_ step: Int) {
        let kind = random.pick(FaultKind.allCases)
        let until = step + random.int(in: 2...40)
        var fault = ActiveFault(kind: kind, members: [], until: until)
        switch kind {
        case .crash, .partition:
            fault.members = [target()]
        case .majorityPartition:
            fault.members = Array(random.shuffled(Array(0..<config.datacenters)).prefix(config.datacenters / 2 + 1)).sorted()
        case .delay:
            fault.members = [target()]
            fault.delayMilliseconds = random.pick([300, 800, 1500, 3000])
        case .loss:
            fault.members = [target()]
            fault.lossProbability = random.pick([0.2, 0.5, 0.9])
        case .clockStep:
            let delta = random.pick([-30, -5, 5, 30, 120])
            hub.clockOffset += TimeInterval(delta)
            faultCounts[kind, default: 0] += 1
            trace.log(step, "clock step \(delta > 0 ? "+" : "")\(delta)s")
            return
        }
        faults.append(fault)
        faultCounts[kind, default: 0] += 1
        let detail = fault.delayMilliseconds > 0 ? " +\(fault.delayMilliseconds)ms" : fault.lossProbability > 0 ? " p=\(fault.lossProbability)" : ""
        trace.log(step, "fault \(kind.rawValue) \(fault.members.map { world.members[$0].name }.joined(separator: ","))\(detail) until t=\(until)")
    }

    mutating func actAsAPerson(_ step: Int) {
        if random.chance(0.6) {
            let choices = hub.names.indices.filter { hub.names[$0] != hub.policy.spec.primary && hub.specs[$0].unschedulable != true }
            guard !choices.isEmpty else { return }
            let name = hub.names[random.pick(choices)]
            hub.policy.spec.primary = name
            hub.policy.metadata.generation = (hub.policy.metadata.generation ?? 1) + 1
            operationCounts[.plannedPromotion, default: 0] += 1
            trace.log(step, "person sets spec.primary = \(name)")
        } else {
            let time = KubeTime(hub.now(step))
            hub.policy.metadata.annotations = [PromotionAnnotation.failbackRequestedAt: time.description]
            operationCounts[.failbackRequest, default: 0] += 1
            trace.log(step, "person requests failback at \(time)")
        }
    }
}
