import FederationAPI
import FederationCore
import Foundation

/// What `concord plan` says about one FederationPolicy: the decision the controller would take now
/// (under the assumptions given) and the writes it would make, from ``FederationCore/planPolicy``.
struct PolicyPlanReport: Codable, Equatable {
    /// One fencing marker write.
    struct MarkerChange: Codable, Equatable {
        var datacenter: String
        var role: String
        var primary: String
        var epoch: Int64
    }

    /// One Datacenter `status.role` write.
    struct RoleChange: Codable, Equatable {
        var datacenter: String
        var role: String
    }

    /// One event the controller would record.
    struct PlannedEvent: Codable, Equatable {
        var type: String
        var reason: String
        var note: String
    }

    var policy: String
    /// When the pass is planned, when it is not now: the end of the waits the assumptions lead through.
    var plannedAt: Date?
    /// The primary and epoch in force (`status`).
    var primary: String?
    var epoch: Int64
    /// The decision, such as `promote(PrimaryUnreachable)`, `stay`, `blocked(QuorumLost)`.
    var decision: String
    /// The primary and epoch the status would hold after the pass.
    var plannedPrimary: String?
    var plannedEpoch: Int64
    /// The `Ready` condition the status would hold.
    var ready: String
    var statusChanges: Bool
    var markerWrites: [MarkerChange]
    var roleChanges: [RoleChange]
    var events: [PlannedEvent]

    /// The report of `plan` for `policy`.
    init(policy: FederationPolicy, plan: PolicyPlan, at: Date? = nil) {
        self.policy = policy.metadata.name ?? ""
        plannedAt = at
        primary = policy.status?.primary
        epoch = policy.status?.epoch ?? 0
        decision = plan.decision.kind
        plannedPrimary = plan.status.primary
        plannedEpoch = plan.status.epoch ?? 0
        let ready = plan.status.conditions.condition(FederationPolicy.ConditionType.ready)
        self.ready = ready.map { "\($0.status.rawValue) \($0.reason): \($0.message)" } ?? "unknown"
        var status = false
        var markers: [MarkerChange] = []
        var roles: [RoleChange] = []
        var events: [PlannedEvent] = []
        for effect in plan.effects {
            switch effect {
            case .writeStatus: status = true
            case .writeMarker(let w): markers.append(MarkerChange(datacenter: w.datacenter, role: w.role.rawValue, primary: w.marker.primary, epoch: w.marker.epoch))
            case .setRole(let datacenter, let role): roles.append(RoleChange(datacenter: datacenter, role: role.rawValue))
            case .record(let e): events.append(PlannedEvent(type: e.type, reason: e.reason, note: e.note))
            }
        }
        statusChanges = status
        markerWrites = markers
        roleChanges = roles
        self.events = events
    }

    /// The text form.
    var text: String {
        var lines = ["FederationPolicy \(policy): primary \(primary ?? "none") at epoch \(epoch)"]
        if let plannedAt { lines.append("  after the controller's wait, at \(KubeTime(plannedAt).description):") }
        lines.append("  decision: \(decision)")
        if plannedPrimary != primary || plannedEpoch != epoch {
            lines.append("  would make \(plannedPrimary ?? "none") primary at epoch \(plannedEpoch)")
        }
        lines.append("  Ready: \(ready)")
        if !statusChanges && markerWrites.isEmpty && roleChanges.isEmpty && events.isEmpty {
            lines.append("  would write nothing")
        }
        if statusChanges { lines.append("  would write the policy's status") }
        for m in markerWrites { lines.append("  would write marker in \(m.datacenter): \(m.role), primary \(m.primary), epoch \(m.epoch)") }
        for r in roleChanges { lines.append("  would set Datacenter \(r.datacenter) role \(r.role)") }
        for e in events { lines.append("  would record \(e.type) \(e.reason): \(e.note)") }
        return lines.joined(separator: "\n")
    }
}
