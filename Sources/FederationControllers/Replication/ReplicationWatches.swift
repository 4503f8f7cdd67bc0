import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Synchronization

/// Wakes rules when replicated objects change in a member.
///
/// The kinds a rule replicates are known only once its spec is read, so the member handlers are
/// registered on first use, per resource and namespace (``ensure(_:namespace:)``), before the
/// reconciler asks ``Members`` for those informers. A change at any member enqueues the Continuous
/// rules of that namespace that select the object (before or after the change) or stamped it, except
/// the rule whose own replica write it merely echoes (``FederationCore/ReplicaEcho``); Periodic rules
/// wait for their interval.
final class ReplicationWatches: Sendable {
    private let members: Members
    private let rules: InformerCache<ReplicationRule>
    private let queue = Mutex<WorkQueue<ObjectKey>?>(nil)
    private let registered = Mutex<Set<String>>([])

    init(members: Members, rules: InformerCache<ReplicationRule>) {
        self.members = members
        self.rules = rules
    }

    /// Sets the queue events go to (the controller's).
    func start(_ queue: WorkQueue<ObjectKey>) { self.queue.withLock { $0 = queue } }

    /// Registers the member handlers for `kind` in `namespace`, once.
    func ensure(_ kind: ResolvedKind, namespace: String) {
        let id = "\(kind.resource) \(kind.scope(namespace) ?? "*") \(namespace)"
        guard registered.withLock({ $0.insert(id).inserted }) else { return }
        let matching: @Sendable () -> [(ObjectKey, ReplicationRule)] = { [rules] in
            Self.rules(replicating: kind.kind, apiVersion: kind.resource.apiVersion, in: namespace, among: rules)
        }
        let enqueue: @Sendable (ObjectKey) async -> Void = { [self] key in
            guard let q = queue.withLock({ $0 }) else { return }
            await q.add(key)
        }
        let replicaKey: @Sendable (JSONValue) -> ReplicaKey = { object in
            ReplicaKey(apiVersion: kind.resource.apiVersion, kind: kind.kind, name: object["metadata"]?["name"]?.stringValue ?? "")
        }
        // A change is news for a rule when the object was or is selected by it, or carries its stamp;
        // the echo of the rule's own replica write is not (its lane wakes the rule). Without these,
        // every write to any object of the kind in the namespace replanned every rule naming the kind.
        let news: @Sendable (JSONValue?, JSONValue) async -> Void = { old, object in
            for (key, rule) in matching() {
                let stamp = Self.annotation(of: key)
                guard Self.concerns(rule, stamp: stamp, object, replicaKey(object)) || old.map({ Self.concerns(rule, stamp: stamp, $0, replicaKey($0)) }) == true
                else { continue }
                if ReplicaEcho.isOwnWrite(object, rule: stamp, fieldManager: ReplicationEffectExecutor.fieldManager) { continue }
                await enqueue(key)
            }
        }
        members.addEventHandler(
            for: kind.resource, namespaced: kind.namespaced, namespace: kind.scope(namespace),
            synced: { _ in for (key, _) in matching() { await enqueue(key) } },
            { _ in
                InformerEventHandler(
                    onAdd: { await news(nil, $0) }, onUpdate: { old, new in await news(old, new) },
                    onDelete: { gone in
                        for (key, rule) in matching() where Self.concerns(rule, stamp: Self.annotation(of: key), gone, replicaKey(gone)) { await enqueue(key) }
                    })
            })
    }

    /// True when `rule` selects `object` (kind, name prefix, labels) or the object carries its stamp.
    static func concerns(_ rule: ReplicationRule, stamp: String, _ object: JSONValue, _ key: ReplicaKey) -> Bool {
        rule.selects(key, object) || ReplicaStamp(of: object).rule == stamp
    }

    /// The `federation.concord.dev/rule` value of the rule with `key`.
    static func annotation(of key: ObjectKey) -> String { "\(key.namespace ?? "")/\(key.name)" }

    /// The Continuous rules in `namespace` that replicate `kind`, with their keys.
    static func rules(replicating kind: String, apiVersion: String, in namespace: String, among rules: InformerCache<ReplicationRule>) -> [(ObjectKey, ReplicationRule)] {
        rules.list(namespace: namespace)
            .filter { rule in rule.spec.effectiveMode == .continuous && rule.spec.resources.contains { $0.kind == kind && $0.apiVersion == apiVersion } }
            .map { (rules.key(of: $0), $0) }
    }
}
