import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging

/// How running one target's plan went.
struct TargetOutcome: Sendable {
    /// The first failed write, if any; the writes after it did not run.
    var failure: String?
    /// The member refused that write as invalid or forbidden: the same write fails again.
    var rejected = false
    /// Replicas changed in the member since the pass read them, left for the next pass to judge.
    var changedSinceRead = 0
    /// The largest lag (source write → acknowledged replica write) of the writes made.
    var lag: Double?
    /// The objects whose write failed, or did not run (after a failure, or over a replica changed
    /// since the read), with why: what their conflicts' listed outcomes say.
    var unwritten: [ReplicaKey: String] = [:]

    /// Records `effects` as not run, because of `failure`, unless already recorded.
    mutating func notRun(_ effects: some Sequence<ReplicationEffect>, after failure: String) {
        for effect in effects {
            guard let key = ReplicationEffectExecutor.key(of: effect), unwritten[key] == nil else { continue }
            unwritten[key] = "not attempted after an earlier write failed: \(failure)"
        }
    }
}

/// Runs the effects of one ``FederationCore/TargetPlan`` against its member, step by step, starting
/// no write after a failed one (the next pass re-reads and plans again). It decides nothing.
///
/// - Creates and updates are server-side applies with field manager `concord`, forced: Concord
///   takes back the fields it replicates, and fields the member's own tooling added survive. A
///   missing namespace is created, then the apply is tried once more.
/// - An adoption, and the removal of a person's `resolution` annotation, are merge patches of
///   annotations only (an apply of annotations alone would drop Concord's other fields).
/// - An update of a replica changed in its member since Concord wrote it (a conflict's restore) is a
///   PUT of the source's content at the version read, which also removes content fields another
///   field manager added (a forced apply would keep them, and the replica would differ forever).
/// - An update applies only over the replica version the plan was made from (`metadata.resourceVersion`
///   in the applied object, a precondition). When the member has a newer version: if it is only
///   Concord's own write the cache had not shown yet, the update is applied over it; if anything else
///   changed it, nothing is written and the next pass judges the change (a conflict, under the rule's
///   strategy), so a person's edit landing between the read and the write is never overwritten unseen.
/// - Adoptions and deletions carry the same precondition (the patch's `metadata.resourceVersion`, the
///   DELETE's `preconditions.resourceVersion`); a deletion of Concord's own newer write goes ahead at
///   its new version. A replica outside residency is deleted whatever changed it.
/// - Deletes ignore objects already gone.
/// - Each write is bounded by `writeTimeout` on the injected clock.
struct ReplicationEffectExecutor {
    /// The field manager of every replica write.
    static let fieldManager = "concord"

    let members: Members
    let kinds: [ReplicaKindKey: ResolvedKind]
    let clock: RuntimeClock
    let writeTimeout: Duration
    let now: @Sendable () -> Date
    let events: EventRecorder
    let logger: Logger

    /// How many writes to one member are in flight at once.
    static let writesInFlight = 16

    /// Runs `target`'s writes for `rule` in three steps: deletions outside residency, then creates,
    /// updates and adoptions, then propagated deletions. Within a step up to ``writesInFlight``
    /// writes run at once (their objects are distinct); after a failure no further write starts, and
    /// the next step does not run.
    func execute(_ target: TargetPlan, rule: ReplicationRule, replicas: [ReplicaKey: JSONValue] = [:]) async -> TargetOutcome {
        var outcome = TargetOutcome()
        let writes = target.writes
        guard !writes.isEmpty else { return outcome }
        guard let connection = await members.existing(target.datacenter) else {
            outcome.failure = "No connection to \(target.datacenter)."
            for effect in writes { if let key = Self.key(of: effect) { outcome.unwritten[key] = "no connection to \(target.datacenter)" } }
            return outcome
        }
        let namespace = rule.metadata.namespace ?? ""
        let steps = [
            writes.filter { if case .deleteOutsideResidency = $0 { true } else { false } },
            writes.filter { switch $0 { case .create, .update, .adopt: true; default: false } },
            writes.filter { switch $0 { case .delete, .release: true; default: false } },
        ]
        for (index, step) in steps.enumerated() where !step.isEmpty {
            await run(step, client: connection.client, namespace: namespace, rule: rule, datacenter: target.datacenter, replicas: replicas, into: &outcome)
            if let failure = outcome.failure {
                outcome.notRun(steps[(index + 1)...].joined(), after: failure)
                return outcome
            }
        }
        return outcome
    }

    /// Runs `effects` with up to ``writesInFlight`` at once, recording lag, events and the first failure.
    func run(
        _ effects: [ReplicationEffect], client: KubeClient, namespace: String, rule: ReplicationRule, datacenter: String, replicas: [ReplicaKey: JSONValue],
        into outcome: inout TargetOutcome
    ) async {
        let ruleAnnotation = rule.ruleAnnotationValue
        await withTaskGroup(of: (ReplicationEffect, WriteResult).self) { group in
            var pending = effects.makeIterator()
            func startNext() -> Bool {
                guard let effect = pending.next() else { return false }
                group.addTask {
                    do {
                        try await withTimeout(writeTimeout, "replicating into \(datacenter)", clock: clock) {
                            try await perform(effect, client: client, namespace: namespace, replicas: replicas, ruleAnnotation: ruleAnnotation)
                        }
                        return (effect, .written)
                    } catch is ChangedSinceRead {
                        return (effect, .changedSinceRead)
                    } catch {
                        let status = (error as? KubeAPIError)?.statusCode
                        return (effect, .failed("\(describe(effect)) failed: \(error)", rejected: status == 400 || status == 403 || status == 422))
                    }
                }
                return true
            }
            for _ in 0..<Self.writesInFlight where !startNext() { break }
            for await (effect, result) in group {
                switch result {
                case .written:
                    record(effect, rule: rule, datacenter: datacenter, into: &outcome)
                case .changedSinceRead:
                    outcome.changedSinceRead += 1
                    if let key = Self.key(of: effect) { outcome.unwritten[key] = "\(key) changed in \(datacenter) since the pass read it, so it was not overwritten" }
                case .failed(let failure, let rejected):
                    if let key = Self.key(of: effect) { outcome.unwritten[key] = failure }
                    if outcome.failure == nil {
                        outcome.failure = failure
                        outcome.rejected = rejected
                        logger.info("Replica write failed; will re-read and retry", metadata: [
                            "replicationrule": "\(rule.ruleAnnotationValue)", "datacenter": "\(datacenter)", "error": "\(failure)",
                        ])
                    }
                }
                if outcome.failure == nil { _ = startNext() }
            }
            // The writes no longer started after the failure.
            if let failure = outcome.failure { outcome.notRun(IteratorSequence(pending), after: failure) }
        }
    }

    /// The lag of an acknowledged write, or the event of a residency deletion.
    func record(_ effect: ReplicationEffect, rule: ReplicationRule, datacenter: String, into outcome: inout TargetOutcome) {
        switch effect {
        case .create(let w), .update(let w):
            if let at = w.sourceWrittenAt { outcome.lag = max(outcome.lag ?? 0, max(0, now().timeIntervalSince(at))) }
        case .deleteOutsideResidency(let key):
            events.event(
                regarding: ObjectReference(to: rule), related: ReplicationRuleReconciler.replica(key, of: rule), type: Event.warning, reason: "ResidencyViolation",
                action: "Replicate", note: "Deleted \(key) from \(datacenter): its region is outside the allowed regions (the rule's residency.allowedRegions or the object's residency label).",
                instance: datacenter)
            logger.info("Deleted a replica outside residency", metadata: [
                "replicationrule": "\(rule.ruleAnnotationValue)", "datacenter": "\(datacenter)", "object": "\(key)",
            ])
        default: break
        }
    }

    /// Runs one effect. A cluster-scoped kind is written without a namespace.
    /// `replicas` are the target's objects as the pass read them (the versions deletions and adoptions
    /// are made over); `ruleAnnotation` is the rule's stamp, `namespace/name`.
    func perform(_ effect: ReplicationEffect, client: KubeClient, namespace: String, replicas: [ReplicaKey: JSONValue], ruleAnnotation: String) async throws {
        switch effect {
        case .create(let write), .update(let write):
            let (objects, scope) = try dynamic(write.key, client, namespace)
            var object = write.object
            if scope == nil { object["metadata"]?["namespace"] = nil }
            if let read = replicas[write.key], write.expectedResourceVersion == ReplicaContent.resourceVersion(of: read),
                let recorded = ReplicaStamp(of: read).contentHash, ReplicaContent.hash(of: read) != recorded
            {
                // Changed in its member since Concord wrote it: restored whole, at the version read.
                try await ReplicaPrecondition.restore(read, to: object, objects: objects, fieldManager: Self.fieldManager)
            } else if let version = write.expectedResourceVersion {
                try await ReplicaPrecondition.apply(
                    object, over: version, name: write.key.name, objects: objects, scope: scope, fieldManager: Self.fieldManager, logger: logger)
            } else {
                do {
                    _ = try await objects.apply(object, fieldManager: Self.fieldManager, force: true)
                } catch let error as KubeAPIError where error.isNotFound && scope != nil {
                    try await createNamespace(namespace, client: client)
                    _ = try await objects.apply(object, fieldManager: Self.fieldManager, force: true)
                }
            }
            if write.clearResolution {
                _ = try await objects.patch(write.key.name, namespace: scope, type: .merge, patch: Self.annotationPatch([FederationAnnotation.resolution: nil]))
            }
        case .adopt(let adoption):
            var annotations: [String: String?] = adoption.annotations.mapValues { $0 }
            annotations[FederationAnnotation.resolution] = .some(nil)
            let (objects, scope) = try dynamic(adoption.key, client, namespace)
            // Only over the version the pass compared: a stamp must never vouch for content it did not see.
            var patch = Self.annotationPatch(annotations)
            if let version = replicas[adoption.key].flatMap(ReplicaContent.resourceVersion(of:)) { patch["metadata"]?["resourceVersion"] = .string(version) }
            do {
                _ = try await objects.patch(adoption.key.name, namespace: scope, type: .merge, patch: patch)
            } catch let error as KubeAPIError where error.isConflict || error.isNotFound {
                throw ChangedSinceRead()
            }
        case .delete(let key):
            let (objects, scope) = try dynamic(key, client, namespace)
            try await ReplicaPrecondition.delete(
                key.name, over: replicas[key].flatMap(ReplicaContent.resourceVersion(of:)), rule: ruleAnnotation, objects: objects, scope: scope,
                fieldManager: Self.fieldManager, logger: logger)
        case .deleteOutsideResidency(let key):
            // Residency is absolute: a replica outside its allowed regions goes whatever changed it.
            let (objects, scope) = try dynamic(key, client, namespace)
            do {
                try await objects.delete(key.name, namespace: scope)
            } catch let error as KubeAPIError where error.isNotFound {}
        case .release(let key):
            // Only over the version read, and only while this rule's stamp is there.
            let (objects, scope) = try dynamic(key, client, namespace)
            var patch = Self.annotationPatch(Dictionary(uniqueKeysWithValues: FederationAnnotation.stamp.map { ($0, String?.none) }))
            if let version = replicas[key].flatMap(ReplicaContent.resourceVersion(of:)) { patch["metadata"]?["resourceVersion"] = .string(version) }
            do {
                _ = try await objects.patch(key.name, namespace: scope, type: .merge, patch: patch)
            } catch let error as KubeAPIError where error.isNotFound {
            } catch let error as KubeAPIError where error.isConflict {
                throw ChangedSinceRead()
            }
        case .blocked, .conflict:
            break
        }
    }

    /// `{"metadata":{"annotations":{…}}}`; a nil value removes the annotation.
    static func annotationPatch(_ annotations: [String: String?]) -> JSONValue {
        .object(["metadata": .object(["annotations": .object(annotations.mapValues { $0.map(JSONValue.string) ?? .null })])])
    }

    /// The client for `key`'s kind, and the namespace its objects live in (nil: cluster-scoped).
    func dynamic(_ key: ReplicaKey, _ client: KubeClient, _ namespace: String) throws -> (DynamicResourceClient, String?) {
        guard let kind = kinds[ReplicaKindKey(apiVersion: key.apiVersion, kind: key.kind)] else {
            throw KubeUsageError("no resource resolved for \(key.apiVersion) \(key.kind)")
        }
        return (client.dynamic(kind.resource, namespaced: kind.namespaced, kind: kind.kind), kind.scope(namespace))
    }

    func createNamespace(_ name: String, client: KubeClient) async throws {
        do {
            _ = try await client.resource(Namespace.self).create(Namespace(metadata: ObjectMeta(name: name)))
            logger.info("Created namespace for replicas", metadata: ["namespace": "\(name)"])
        } catch let error as KubeAPIError where error.isAlreadyExists {}
    }

    /// The object a write effect writes, nil for a conflict or a block (no write).
    static func key(of effect: ReplicationEffect) -> ReplicaKey? {
        switch effect {
        case .create(let w), .update(let w): w.key
        case .adopt(let a): a.key
        case .delete(let k), .deleteOutsideResidency(let k), .release(let k): k
        case .blocked, .conflict: nil
        }
    }

    func describe(_ effect: ReplicationEffect) -> String {
        switch effect {
        case .create(let w): "creating \(w.key)"
        case .update(let w): "updating \(w.key)"
        case .adopt(let a): "restamping \(a.key)"
        case .delete(let k), .deleteOutsideResidency(let k): "deleting \(k)"
        case .release(let k): "removing the stamp of \(k)"
        case .blocked(let k): "\(k)"
        case .conflict(let c): "\(c.key)"
        }
    }
}
