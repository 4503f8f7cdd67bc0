import FederationAPI
import Foundation

/// One service's workload in one member, as the member runs it: the Deployment's replicas, the
/// pods ready now, and the rollout in progress.
struct SimulatedWorkload: Hashable, Sendable {
    /// `spec.replicas` of the Deployment there.
    var desired = 0
    /// Ready pods.
    var ready = 0
    /// The step at which the next pods become ready, while a rollout runs.
    var rolloutReadyAt: Int?
    /// The pods fail (a crash loop, a lost node) until this step, whatever the member's health.
    var brokenUntil: Int?

    /// Pods become ready this many steps after a scale-up or a restart, then up to
    /// ``podsPerStep`` more each step.
    static let rolloutDelay = 1...4
    static let podsPerStep = 2

    func broken(at step: Int) -> Bool { brokenUntil.map { step < $0 } ?? false }

    /// One second of the member's own life: crashed members and broken workloads have no ready
    /// pods; otherwise ready pods follow the Deployment after the rollout delay.
    mutating func progress(step: Int, alive: Bool, random: inout SimulationRandom) {
        if !alive || broken(at: step) {
            ready = 0
            rolloutReadyAt = nil
            return
        }
        if ready >= desired {
            ready = desired
            rolloutReadyAt = nil
            return
        }
        guard let at = rolloutReadyAt else {
            rolloutReadyAt = step + random.int(in: Self.rolloutDelay)
            return
        }
        if step >= at {
            ready = min(desired, ready + Self.podsPerStep)
            rolloutReadyAt = ready < desired ? step + 1 : nil
        }
    }

    /// A scale write landed: scaling down removes pods at once, scaling up starts a rollout.
    mutating func scale(to replicas: Int) {
        desired = replicas
        ready = min(ready, replicas)
    }
}

/// One ServiceFailover (ActivePassive) in a schedule: its object as the hub stores it, where its
/// traffic points, its workloads in the members, and the controller's cache of them.
struct SimulatedService: Sendable {
    var spec: ServiceFailoverSpec
    var generation: Int64 = 1
    /// The persisted status (written only after every effect of a pass succeeded).
    var status: ServiceFailoverStatus?
    /// The user's replicas in the primary.
    let primaryReplicas: Int
    /// When a person last asked for failback (`concord service failback`).
    var failbackRequestedAt: Date?
    /// Where the `<service>-global` Services point: the datacenter the last applied
    /// `switchTraffic` named (the primary at the start).
    var traffic: String
    /// The workload in each member that has a copy, by member name.
    var workloads: [String: SimulatedWorkload]
    /// The controller's informer cache of `spec.replicas` and ready replicas, refreshed from the
    /// members its probes reach.
    var seenDesired: [String: Int]
    var seenReady: [String: Int]

    var name: String { spec.service }
    var policy: FailoverPolicy { spec.effectivePolicy }
    var active: String { status?.activeDatacenter ?? spec.primary }
    var moving: Bool { status?.lastTransition.map { $0.completedAt == nil } ?? false }
    func desired(_ member: String) -> Int { workloads[member]?.desired ?? 0 }
    func ready(_ member: String) -> Int { workloads[member]?.ready ?? 0 }

    /// Draws service `index`: its primary, ordered failover datacenters with their replicas, and a
    /// policy covering every setting (mode, wait, minimum, failback, window, migration timeout).
    static func draw(index: Int, names: [String], random: inout SimulationRandom) -> SimulatedService {
        let primary = random.pick(names)
        let others = random.shuffled(names.filter { $0 != primary })
        let count = others.isEmpty ? 0 : random.int(in: 1...min(3, others.count))
        let failover = others.prefix(count).map {
            FailoverTarget(datacenter: $0, replicas: random.chance(0.5) ? nil : random.int(in: 1...4))
        }
        let replicas = random.int(in: 1...4)
        let policy = FailoverPolicy(
            mode: random.chance(0.1) ? .manual : .automatic, unhealthyForSeconds: random.pick([0, 2, 5, 5, 10, 20]),
            minReadyReplicas: min(replicas, random.pick([1, 1, 1, 2])), failback: random.chance(0.5) ? .automatic : .manual,
            stabilizationSeconds: random.pick([0, 5, 20]))
        let spec = ServiceFailoverSpec(
            service: "svc-\(index)", primary: primary, failover: Array(failover), policy: policy,
            migration: MigrationSpec(readinessTimeoutSeconds: random.pick([10, 30])))
        var workloads = [primary: SimulatedWorkload(desired: replicas, ready: replicas)]
        for target in failover { workloads[target.datacenter] = SimulatedWorkload() }
        return SimulatedService(
            spec: spec, primaryReplicas: replicas, traffic: primary, workloads: workloads,
            seenDesired: workloads.mapValues(\.desired), seenReady: workloads.mapValues(\.ready))
    }

    /// A one-line description for the trace.
    var summary: String {
        let p = policy
        let targets = spec.failover.map { "\($0.datacenter)\($0.replicas.map { "×\($0)" } ?? "")" }.joined(separator: ",")
        return "\(name): primary \(spec.primary)×\(primaryReplicas), failover [\(targets)], mode \(p.effectiveMode.rawValue), "
            + "unhealthyFor \(p.effectiveUnhealthyForSeconds)s, minReady \(p.effectiveMinReadyReplicas), failback \(p.effectiveFailback.rawValue) "
            + "after \(p.effectiveStabilizationSeconds)s, readinessTimeout \(spec.effectiveMigration.effectiveReadinessTimeoutSeconds)s"
    }
}
