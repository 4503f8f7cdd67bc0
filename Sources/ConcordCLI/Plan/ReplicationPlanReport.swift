import FederationAPI
import FederationCore
import Foundation

/// What `concord plan` says about one ReplicationRule: the source it would read, and per target
/// the writes and conflicts of the controller's plan (``FederationCore/planReplication``).
struct ReplicationPlanReport: Codable, Equatable {
    /// One target's part of the plan.
    struct Target: Codable, Equatable {
        var datacenter: String
        /// True when the controller would not plan it (Unreachable, or assumed so).
        var unreachable: Bool = false
        var creates: [String] = []
        var updates: [String] = []
        var deletes: [String] = []
        var adoptions: [String] = []
        /// Kept out by residency.
        var blocked: [String] = []
        /// Each conflict's message, with the strategy's outcome.
        var conflicts: [String] = []
        var inSync: Int = 0
    }

    /// `namespace/name`.
    var rule: String
    var source: String?
    var epoch: Int64
    var objects: Int
    /// Why the controller would plan nothing (no source in force, source unreachable, unreadable members,
    /// no target, a kind it cannot replicate).
    var waiting: String?
    /// The reason the controller would put on the rule's conditions for `waiting`, when it names one.
    var reason: String?
    /// True when the controller would mark the rule Stalled: input only a person can fix.
    var stalled = false
    var targets: [Target]

    /// The report of `plan`, with the targets the controller would skip as unreachable.
    init(rule: String, plan: ReplicationPlan, unreachable: [String]) {
        self.rule = rule
        source = plan.source
        epoch = plan.epoch
        objects = plan.objects
        targets = plan.targets.map(Self.target) + unreachable.sorted().map { Target(datacenter: $0, unreachable: true) }
    }

    /// A report of a rule the controller would not plan now, and why.
    init(rule: String, source: String?, epoch: Int64, waiting: String) {
        self.rule = rule
        self.source = source
        self.epoch = epoch
        objects = 0
        self.waiting = waiting
        targets = []
    }

    /// A report of a rule the controller would not plan, with the controller's reason.
    init(rule: String, source: String?, epoch: Int64, blocker: ReplicationBlocker) {
        self.init(rule: rule, source: source, epoch: epoch, waiting: blocker.message)
        stall(blocker)
    }

    /// Adds the controller's reason for stalling (or waiting) to a report, planned or not.
    mutating func stall(_ blocker: ReplicationBlocker) {
        waiting = blocker.message
        reason = blocker.reason
        stalled = blocker.terminal
    }

    static func target(_ plan: TargetPlan) -> Target {
        var t = Target(datacenter: plan.datacenter, inSync: plan.inSync)
        for effect in plan.effects {
            switch effect {
            case .create(let w): t.creates.append(w.key.description)
            case .update(let w): t.updates.append(w.key.description)
            case .delete(let k), .deleteOutsideResidency(let k): t.deletes.append(k.description)
            case .release(let k): t.updates.append("\(k) (stamp removed, kept)")
            case .adopt(let a): t.adoptions.append(a.key.description)
            case .blocked(let k): t.blocked.append(k.description)
            case .conflict(let c): t.conflicts.append(c.message)
            }
        }
        return t
    }

    /// The text form.
    var text: String {
        let from = source == MeshReplication.source ? "Mesh (every member is a source)" : "source \(source ?? "none")"
        var lines = ["ReplicationRule \(rule): \(from) at epoch \(epoch), \(BackupCommand.objects(objects))"]
        if let waiting { lines.append("  \(stalled ? "would stall" : "would wait")\(reason.map { " (\($0))" } ?? ""): \(waiting)") }
        for t in targets {
            if t.unreachable {
                lines.append("  → \(t.datacenter): Unreachable, not planned (replicated when it returns)")
                continue
            }
            var parts: [String] = []
            if !t.creates.isEmpty { parts.append("would create \(t.creates.joined(separator: ", "))") }
            if !t.updates.isEmpty { parts.append("would update \(t.updates.joined(separator: ", "))") }
            if !t.deletes.isEmpty { parts.append("would delete \(t.deletes.joined(separator: ", "))") }
            if !t.adoptions.isEmpty { parts.append("would adopt \(t.adoptions.joined(separator: ", "))") }
            if !t.blocked.isEmpty { parts.append("residency keeps out \(t.blocked.joined(separator: ", "))") }
            lines.append("  → \(t.datacenter): \(parts.isEmpty ? "nothing to write" : parts.joined(separator: "; ")) (\(t.inSync) in sync)")
            for c in t.conflicts { lines.append("    conflict: \(c)") }
        }
        return lines.joined(separator: "\n")
    }
}
