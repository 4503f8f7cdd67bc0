import FederationAPI
import Foundation

extension ActiveActivePlanner {
    /// The placement as one line, such as `us-east=6,us-west=3,eu-central=3`.
    static func describe(_ placement: [String: Int]) -> String {
        placement.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// A history entry per redistribution: started when the division changes (the first one, from
    /// `none`, is `InitialPlacement`), completed once the gaining datacenters are ready and the losing
    /// ones scaled down. One the next overtakes before it settled is listed as it stood, ending when it
    /// was overtaken (event `<Reason>Superseded`). `described` is this pass's division in one line (``place(_:)``).
    mutating func record(_ view: PlacementView, moving: Bool, described: String) {
        // The divisions are described only when they differ: in a settled pass the texts are equal.
        if view.divisionChanged {
            // An empty division (scaled to 0) reads `none` in the history, whose `from` and `to` are required.
            let before = view.text(.placement(planned: true)).orNone, after = described.orNone
            if before != after {
                // Nothing placed and never moved before: the service's first placement.
                let first = before == "none" && status.history.isEmpty && status.lastTransition == nil
                let reason = first ? ServiceFailover.Reason.initialPlacement
                    : Self.redistributionReason(view, specChanged: status.observedGeneration != generation, rebalanceRequested: rebalanceRequested)
                if let overtaken = status.lastTransition, overtaken.completedAt == nil {
                    _ = status.listEnded(overtaken, at: now)
                    effects.append(.event(warning: false, reason: "\(overtaken.reason)Superseded", message: "the move to \(overtaken.to) did not settle before the division changed again"))
                }
                status.lastTransition = FailoverTransition(from: before, to: after, reason: reason, startedAt: KubeTime(now))
                effects.append(.event(
                    warning: reason == ServiceFailover.Reason.datacenterUnreachable, reason: "\(reason)Started", message: "redistributing \(before) → \(after)"))
            }
        }
        if !moving, let inFlight = status.lastTransition, inFlight.completedAt == nil {
            let move = status.listEnded(inFlight, at: now)
            status.lastTransition = move
            effects.append(.event(warning: false, reason: "\(move.reason)Completed", message: "placement is \(move.to) (\(move.durationSeconds ?? 0) s)"))
        }
    }

    /// Why the division changed, in this order: a placed datacenter was lost (`DatacenterUnreachable`);
    /// the spec changed (`PlacementChanged`); a datacenter entered or left the selection
    /// (`SelectionChanged`); a placed datacenter was cordoned (`DatacenterCordoned`); one left out
    /// (lost, cordoned, not Ready) joined again, or a person asked (`Rebalance`); else the room
    /// left in the datacenters changed (`CapacityChanged`).
    static func redistributionReason(_ view: PlacementView, specChanged: Bool, rebalanceRequested: Bool) -> String {
        typealias R = ServiceFailover.Reason
        var selection = false, cordoned = false, rejoined = false
        for entry in view.entries {
            if entry.lost && entry.planned > 0 { return R.datacenterUnreachable }
            if entry.candidate && !entry.wasCandidate {
                // Listed before without being divided over: it was left out and is back; never listed: newly selected.
                if entry.recordedAt >= 0 { rejoined = true } else { selection = true }
            }
            if entry.wasCandidate && !entry.selected { selection = true }
            if entry.wasCandidate && entry.selected && entry.planned > 0 && entry.site?.unschedulable == true { cordoned = true }
        }
        if specChanged { return R.placementChanged }
        if selection { return R.selectionChanged }
        if cordoned { return R.datacenterCordoned }
        return rejoined || rebalanceRequested ? R.rebalance : R.capacityChanged
    }

    /// Lists every datacenter the pass looked at that is selected or runs replicas. When that list
    /// is the last status's, entry for entry, the status keeps it as it is (no copy).
    mutating func list(_ view: PlacementView) {
        var count = 0, same = true
        for i in view.entries.indices where view.entries[i].listed {
            if same { same = view.entries[i].recordedAt == count && view.isRecorded(i) }
            count += 1
        }
        if same, count == view.recorded.count { return }
        var datacenters: [ServiceDatacenterStatus] = []
        datacenters.reserveCapacity(count)
        for i in view.entries.indices where view.entries[i].listed { datacenters.append(view.status(i)) }
        status.datacenters = datacenters
    }

    /// Sets `status.placement` to this pass's division in one line (absent when it places nothing),
    /// compared in place with the last one and formatted only when it differs. Returns the line,
    /// which the conditions' messages then copy or compare whole instead of writing the division again.
    mutating func place(_ view: PlacementView) -> String {
        let written = status.placement ?? ""
        if view.isText(.placement(planned: false), described: nil, of: written) { return written }
        let described = view.text(.placement(planned: false))
        status.placement = described.isEmpty ? nil : described
        return described
    }

    /// The conditions, from the division and the ready replicas. A condition whose status, reason,
    /// generation and message are already those written is left as it is, its message compared
    /// in place rather than formatted; `described` is this pass's division in one line (``place(_:)``).
    mutating func summarize(total: Int, view: PlacementView, unplaced: Int, spreadShort: Bool, described: String) {
        var readyTotal = 0, placed = 0, placedDatacenters = 0, allReady = true
        for e in view.entries where e.target > 0 {
            readyTotal += e.ready
            placed += e.target
            placedDatacenters += 1
            if e.ready < e.target { allReady = false }
        }
        let moving = status.phase == .progressing
        // A first pass appends all six conditions: room for them at once.
        if status.conditions.isEmpty { status.conditions.reserveCapacity(6) }
        // The text of `message` below, which up to three conditions share.
        var shared: String?
        func set(_ type: String, _ value: Bool, _ reason: String, _ form: PlacementView.Message, shares: Bool = false) {
            let conditionStatus: ConditionStatus = value ? .true : .false
            guard let i = status.conditions.firstIndex(where: { $0.type == type }) else {
                status.conditions.append(Condition(
                    type: type, status: conditionStatus, observedGeneration: generation, lastTransitionTime: KubeTime(now), reason: reason,
                    message: text(form, shares: shares)))
                return
            }
            // As `[Condition].set` does, field by field; the message is compared in place.
            if status.conditions[i].status != conditionStatus {
                status.conditions[i].status = conditionStatus
                status.conditions[i].lastTransitionTime = KubeTime(now)
            }
            if status.conditions[i].reason != reason { status.conditions[i].reason = reason }
            if !view.isText(form, described: described, of: status.conditions[i].message) {
                let message = text(form, shares: shares)
                if status.conditions[i].message != message { status.conditions[i].message = message }
            }
            if status.conditions[i].observedGeneration != generation { status.conditions[i].observedGeneration = generation }
        }
        func text(_ form: PlacementView.Message, shares: Bool) -> String {
            if shares, let shared { return shared }
            let text = view.text(form, described: described)
            if shares { shared = text }
            return text
        }
        let minimum = max(1, policy.effectiveMinReadyReplicas)
        // A service scaled to 0 is available, as a Deployment at 0 replicas is.
        let available = total == 0 || readyTotal >= min(minimum, total)
        set(ServiceFailover.ConditionType.available, available,
            available ? ServiceFailover.Reason.minimumReplicasAvailable : ServiceFailover.Reason.minimumReplicasUnavailable,
            .readyAcross(ready: readyTotal, total: total, datacenters: placedDatacenters))
        set(ServiceFailover.ConditionType.failedOver, false, ServiceFailover.Reason.activeActive, .division)
        let message: PlacementView.Message = moving ? .moving : .placed
        set(ServiceFailover.ConditionType.progressing, moving, moving ? ServiceFailover.Reason.scalingUpTarget : ServiceFailover.Reason.stable, message, shares: true)
        // A placed datacenter Unreachable but not lost yet: its share moves once it has been for
        // unhealthyForSeconds, so the service is in progress (kstatus), not current.
        let awaitingLoss = !moving && view.awaitingLoss
        if awaitingLoss {
            set(ServiceFailover.ConditionType.reconciling, true, ServiceFailover.Reason.datacenterUnreachable,
                .awaitingLoss(unhealthyForSeconds: policy.effectiveUnhealthyForSeconds))
        } else {
            set(ServiceFailover.ConditionType.reconciling, moving, moving ? ServiceFailover.Reason.scalingUpTarget : ServiceFailover.Reason.stable, message, shares: true)
        }
        let short: PlacementView.Message? = unplaced > 0 ? .noRoom(unplaced: unplaced, total: total)
            : spreadShort ? .spreadShort(minDatacenters: placement.effectiveMinDatacenters) : nil
        // Settled short of the spec (no room, or too few candidates for minDatacenters): nothing more
        // can be done until capacity, a cordon, the selection or the spec changes, or a person asks
        // for the rebalance a returning datacenter waits for (kstatus: Stalled). One waiting for its
        // stabilization window joins by itself, so the shortfall is not settled meanwhile.
        if let short, !moving, !waitingForWindow {
            set(ServiceFailover.ConditionType.stalled, true, ServiceFailover.Reason.insufficientCapacity, short)
        } else {
            set(ServiceFailover.ConditionType.stalled, false, ServiceFailover.Reason.stable, .fixed("making progress"))
        }
        let readyNow = !moving && short == nil && allReady && placed == total
        let reason = moving ? ServiceFailover.Reason.scalingUpTarget : short != nil ? ServiceFailover.Reason.insufficientCapacity
            : allReady ? ServiceFailover.Reason.minimumReplicasAvailable : ServiceFailover.Reason.minimumReplicasUnavailable
        if let short {
            set(ServiceFailover.ConditionType.ready, readyNow, reason, short)
        } else if readyNow {
            set(ServiceFailover.ConditionType.ready, readyNow, reason, .readyPlaced(ready: readyTotal, total: total))
        } else {
            set(ServiceFailover.ConditionType.ready, readyNow, reason, message, shares: true)
        }
    }
}

extension String {
    /// The text, or `none` when it is empty.
    fileprivate var orNone: String { isEmpty ? "none" : self }
}
