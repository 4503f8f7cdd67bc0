import FederationAPI
import Foundation

/// What deleting a ReplicationRule does to the replicas it wrote, pure.
///
/// The rule's finalizer plans the removal per target from the objects read there: under
/// `deletion: Propagate` every object stamped with this rule's `rule` annotation is deleted (objects
/// no rule wrote, and those another rule wrote, are never touched), but one that existed in its member
/// before the rule stamped it (`adopted`) only loses Concord's stamp; under `Orphan` nothing is
/// deleted and the replicas stay as they are. The source in force is never a target of the removal:
/// after a promotion its objects carry this rule's stamp, yet they are the originals.
public enum ReplicationRemoval {
    /// What the finalizer does after an attempt.
    public enum Decision: Equatable, Sendable {
        /// Every target is clean (or Orphan): release the finalizer.
        case release
        /// Some targets could not be cleaned yet: write `conditions` and look again.
        case wait(conditions: [Condition])
        /// The bounded wait is over: write `conditions` (Stalled), then release the finalizer anyway.
        case abandon(conditions: [Condition], message: String)
    }

    /// The effects for each target under Propagate: `.delete` of every object `rule` stamped, `.release`
    /// of those it adopted.
    public static func plan(rule: ReplicationRule, targets: [ReplicationTargetView]) -> [TargetPlan] {
        let id = rule.ruleAnnotationValue
        let propagate = rule.spec.effectiveDeletion == .propagate
        return targets.sorted { $0.datacenter < $1.datacenter }.map { target in
            let owned = propagate ? target.objects.filter { ReplicaStamp(of: $0.value).rule == id }.sorted { $0.key < $1.key } : []
            let effects = owned.map { key, object in
                object["metadata"]?["annotations"]?[FederationAnnotation.adopted] == "true" ? ReplicationEffect.release(key) : .delete(key)
            }
            return TargetPlan(datacenter: target.datacenter, regionAllowed: true, allowedObjects: 0, inSync: 0, effects: effects)
        }
    }

    /// Decides what follows an attempt that left `pending` targets (name → why) not cleaned.
    ///
    /// - Parameters:
    ///   - rule: The rule being deleted (its `deletionTimestamp` starts the bounded wait).
    ///   - pending: Targets whose replicas could not be read or deleted, with the reason.
    ///   - cleanupTimeout: How long deletion waits for such targets (seconds).
    ///   - now: The current time.
    public static func decide(rule: ReplicationRule, pending: [String: String], cleanupTimeout: TimeInterval, now: Date) -> Decision {
        guard !pending.isEmpty else { return .release }
        let waited = now.timeIntervalSince(rule.metadata.deletionTimestamp?.date ?? now)
        let which = pending.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: "; ")
        let c = ReplicationStatusBuilder.Conditions(generation: rule.metadata.generation, time: KubeTime(now))
        typealias T = ReplicationRule.ConditionType
        if waited < cleanupTimeout {
            let message = "Deleting this rule's replicas; waiting for \(which); giving up in \(Int(cleanupTimeout - waited)) s."
            return .wait(conditions: [c.make(T.reconciling, .true, CommonReason.finalizing, message)])
        }
        let kinds = Array(Set(rule.spec.resources.map { $0.kind.lowercased() })).sorted().joined(separator: ",")
        let namespace = rule.metadata.namespace.map { " -n \($0)" } ?? ""
        let message = "Replicas of this rule may be left in \(which) after waiting \(Int(cleanupTimeout)) s (deletions already sent still land if it answers later): "
            + "there, `kubectl get \(kinds)\(namespace) -o 'custom-columns=KIND:.kind,NAME:.metadata.name,RULE:.metadata.annotations.federation\\.concord\\.dev/rule'` "
            + "lists them; delete those whose RULE is \(rule.ruleAnnotationValue)."
        return .abandon(
            conditions: [c.make(T.reconciling, .false, CommonReason.cleanupTimedOut, message), c.make(T.stalled, .true, CommonReason.cleanupTimedOut, message)],
            message: message)
    }
}
