import FederationAPI
import Foundation

extension ActiveActivePlanner {
    /// The placement as one line, such as `us-east=6,us-west=3,eu-central=3`.
    static func describe(_ placement: [String: Int]) -> String {
        placement.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// A history entry per redistribution: started when the division changes, completed once the
    /// gaining datacenters are ready and the losing ones scaled down. `placement` is the new
    /// division described.
    mutating func record(_ view: PlacementView, placement after: String, moving: Bool) {
        // The old division is described only when it differs: in a settled pass the texts are equal.
        let before = view.divisionChanged ? view.describe(\.planned) : after
        if before != after, !status.datacenters.isEmpty {
            let reason = view.entries.contains(where: { $0.lost && $0.planned > 0 }) ? ServiceFailover.Reason.datacenterUnreachable
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

    /// The conditions, from the division (`placement` described) and the ready replicas.
    mutating func summarize(total: Int, view: PlacementView, placement described: String, unplaced: Int, spreadShort: Bool) {
        var readyTotal = 0, placed = 0, placedDatacenters = 0, allReady = true
        for e in view.entries where e.target > 0 {
            readyTotal += e.ready
            placed += e.target
            placedDatacenters += 1
            if e.ready < e.target { allReady = false }
        }
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
            "\(readyTotal) of \(total) replicas ready across \(placedDatacenters) datacenters")
        set(ServiceFailover.ConditionType.failedOver, false, ServiceFailover.Reason.activeActive, "ActiveActive: the division is \(described)")
        let message = moving ? "moving to \(described)" : "placed \(described)"
        set(ServiceFailover.ConditionType.progressing, moving, moving ? ServiceFailover.Reason.scalingUpTarget : ServiceFailover.Reason.stable, message)
        set(ServiceFailover.ConditionType.reconciling, moving, moving ? ServiceFailover.Reason.scalingUpTarget : ServiceFailover.Reason.stable, message)
        set(ServiceFailover.ConditionType.stalled, false, ServiceFailover.Reason.stable, "making progress")
        let short = unplaced > 0
            ? "\(unplaced) of \(total) replicas have no room in any candidate datacenter (capacity or maxReplicasPerDatacenter)"
            : spreadShort ? "fewer than minDatacenters \(placement.effectiveMinDatacenters) candidate datacenters have room" : nil
        let readyNow = !moving && short == nil && allReady && placed == total
        let reason = moving ? ServiceFailover.Reason.scalingUpTarget : short != nil ? ServiceFailover.Reason.insufficientCapacity
            : allReady ? ServiceFailover.Reason.minimumReplicasAvailable : ServiceFailover.Reason.minimumReplicasUnavailable
        set(ServiceFailover.ConditionType.ready, readyNow, reason, short ?? (readyNow ? "\(readyTotal) of \(total) replicas ready: \(described)" : message))
    }
}
