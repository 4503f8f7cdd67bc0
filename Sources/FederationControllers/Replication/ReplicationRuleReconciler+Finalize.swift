import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

extension ReplicationRuleReconciler {
    /// Deletion: under `deletion: Propagate`, delete every replica this rule wrote in every member
    /// but the source in force (``FederationCore/ReplicationRemoval``); under `Orphan`, leave them.
    /// Then release the finalizer.
    ///
    /// A member that cannot be read or written is retried within `cleanupTimeout` of the deletion
    /// request; after that the rule is marked `Stalled` (CleanupTimedOut) with what was left where,
    /// and the finalizer is released anyway, so deleting a rule never blocks forever.
    func finalize(_ rule: ReplicationRule) async throws -> ReconcileResult {
        guard rule.metadata.hasFinalizer(FederationFinalizer.cleanup) else { return .done }
        let pending = rule.spec.effectiveDeletion == .propagate ? await removeReplicas(of: rule) : [:]
        let ref = ObjectReference(to: rule)
        switch ReplicationRemoval.decide(rule: rule, pending: pending, cleanupTimeout: cleanupTimeout, now: now()) {
        case .wait(let conditions):
            try await writeConditions(conditions, of: rule)
            return .requeue(after: requeue.finalizeRetry)
        case .abandon(let conditions, let message):
            try await writeConditions(conditions, of: rule)
            events.event(regarding: ref, type: Event.warning, reason: CommonReason.cleanupTimedOut, action: "Delete", note: message)
            logger.warning("Abandoned replica cleanup", metadata: ["replicationrule": "\(rule.ruleAnnotationValue)", "reason": "\(message)"])
        case .release:
            break
        }
        if try await rules.removeFinalizer(FederationFinalizer.cleanup, from: rule) != nil {
            logger.info("Removed finalizer", metadata: ["replicationrule": "\(rule.ruleAnnotationValue)", "deletion": "\(rule.spec.effectiveDeletion.rawValue)"])
        }
        return .done
    }

    /// Deletes the rule's replicas member by member; returns the members not cleaned, with why.
    func removeReplicas(of rule: ReplicationRule) async -> [String: String] {
        let source: String
        switch sourceInForce(rule) {
        case .failure(let blocker):
            // Without a known source every stamped object could be an original: delete nothing yet.
            return ["the source": blocker.message]
        case .success(let s): source = s.name
        }
        var pending: [String: String] = [:]
        for dc in datacenterCache.list() {
            guard let name = dc.metadata.name, name != source else { continue }
            guard dc.status?.phase != .unreachable, let connection = await members.existing(name) else {
                pending[name] = "unreachable"
                continue
            }
            var kinds: [ReplicaKindKey: ResolvedKind] = [:]
            for entry in rule.spec.resources {
                do {
                    kinds[ReplicaKindKey(apiVersion: entry.apiVersion, kind: entry.kind)] = try await self.kinds.resolve(
                        apiVersion: entry.apiVersion, kind: entry.kind, in: name, client: connection.client)
                } catch is UnknownKindError {
                    continue  // The member does not serve the kind: it holds no replica of it.
                } catch {
                    pending[name] = "discovery failed: \(error)"
                }
            }
            guard pending[name] == nil else { continue }
            guard let objects = await stampedObjects(name, of: rule, kinds: kinds) else {
                pending[name] = "its objects are not read yet"
                continue
            }
            for plan in ReplicationRemoval.plan(rule: rule, targets: [ReplicationTargetView(datacenter: name, region: dc.spec.region, objects: objects)]) {
                if let failure = await executor(kinds).execute(plan, rule: rule).failure {
                    pending[name] = failure
                } else if !plan.effects.isEmpty {
                    logger.info("Deleted replicas of a deleted rule", metadata: [
                        "replicationrule": "\(rule.ruleAnnotationValue)", "datacenter": "\(name)", "objects": "\(plan.effects.count)",
                    ])
                }
            }
        }
        return pending
    }

    /// Sets `conditions` on the rule's status (the rule is being deleted; nothing else changes).
    func writeConditions(_ conditions: [Condition], of rule: ReplicationRule) async throws {
        var status = rule.status ?? ReplicationRuleStatus()
        for condition in conditions { status.conditions.set(condition) }
        try await writeStatus(status, of: rule)
    }
}
