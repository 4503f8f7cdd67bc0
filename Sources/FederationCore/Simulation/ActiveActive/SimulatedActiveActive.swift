import FederationAPI
import Foundation

/// One ActiveActive ServiceFailover in a schedule: its object as the hub stores it, the
/// datacenters its selector picks, where discovery routes, its workload in each selected member,
/// and the controller's cache of them.
struct SimulatedActiveActive: Sendable {
    var spec: ServiceFailoverSpec
    var generation: Int64 = 1
    /// The persisted status (written only after every effect of a pass succeeded).
    var status: ServiceFailoverStatus?
    /// The Datacenters `spec.placement.datacenterSelector` picks.
    let selected: Set<String>
    /// When a person last asked for a rebalance (`concord service rebalance`).
    var rebalanceRequestedAt: Date?
    /// The datacenters the `<service>-global` EndpointSlices point at: the last applied `route`.
    var routed: [String] = []
    /// The workload in each selected member (the primary's native one, copies elsewhere).
    var workloads: [String: SimulatedWorkload]
    /// The controller's informer cache of `spec.replicas` and ready replicas.
    var seenDesired: [String: Int]
    var seenReady: [String: Int]

    var name: String { spec.service }
    var policy: FailoverPolicy { spec.effectivePolicy }
    var total: Int { max(0, spec.replicas ?? 0) }
    var moving: Bool { status?.phase == .progressing || (status?.lastTransition.map { $0.completedAt == nil } ?? false) }
    func desired(_ member: String) -> Int { workloads[member]?.desired ?? 0 }
    func ready(_ member: String) -> Int { workloads[member]?.ready ?? 0 }
    /// The share the persisted status gives `member` (0 when none).
    func planned(_ member: String) -> Int { status?.datacenters.first { $0.name == member }?.desiredReplicas ?? 0 }

    /// Draws ActiveActive service `index`: a selector picking one to all members, weights (some 0),
    /// a total, `minDatacenters` up to the selected count, sometimes `maxReplicasPerDatacenter`,
    /// and a policy (wait, failback, window). The primary runs 1 replica natively; the other
    /// selected members hold copies at 0.
    static func draw(index: Int, names: [String], random: inout SimulationRandom) -> SimulatedActiveActive {
        let selected = Array(random.shuffled(names).prefix(random.int(in: 1...names.count)))
        let weights = selected.sorted().map { DatacenterWeight(datacenter: $0, weight: random.pick([0, 1, 1, 1, 2, 3])) }
        let placement = PlacementSpec(
            weights: weights, minDatacenters: random.int(in: 1...min(3, selected.count)),
            maxReplicasPerDatacenter: random.chance(0.3) ? random.int(in: 2...6) : nil)
        let policy = FailoverPolicy(
            unhealthyForSeconds: random.pick([0, 2, 5, 10]), failback: random.chance(0.5) ? .automatic : .manual,
            stabilizationSeconds: random.pick([0, 5, 20]))
        let primary = random.pick(selected)
        let spec = ServiceFailoverSpec(
            service: "web-\(index)", primary: primary, mode: .activeActive, replicas: random.int(in: 2...10), placement: placement, policy: policy)
        var workloads: [String: SimulatedWorkload] = [:]
        for name in selected { workloads[name] = SimulatedWorkload() }
        workloads[primary] = SimulatedWorkload(desired: 1, ready: 1)
        return SimulatedActiveActive(
            spec: spec, selected: Set(selected), workloads: workloads, seenDesired: workloads.mapValues(\.desired),
            seenReady: workloads.mapValues(\.ready))
    }

    /// A one-line description for the trace.
    var summary: String {
        let placement = spec.placement ?? PlacementSpec()
        let weights = (placement.weights ?? []).map { "\($0.datacenter)×\($0.weight)" }.joined(separator: ",")
        return "\(name): ActiveActive \(total) replicas over [\(weights)], minDatacenters \(placement.effectiveMinDatacenters), "
            + "maxPerDatacenter \(placement.maxReplicasPerDatacenter.map(String.init) ?? "-"), primary \(spec.primary), "
            + "unhealthyFor \(policy.effectiveUnhealthyForSeconds)s, failback \(policy.effectiveFailback.rawValue) after \(policy.effectiveStabilizationSeconds)s"
    }
}
