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
/// rules of that namespace that name the kind, except the rule whose own replica write it merely
/// echoes (``FederationCore/ReplicaEcho``); Periodic rules wait for their interval.
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
        let keys: @Sendable () -> [ObjectKey] = { [rules] in Self.rules(replicating: kind.kind, apiVersion: kind.resource.apiVersion, in: namespace, among: rules) }
        let enqueue: @Sendable (ObjectKey) async -> Void = { [self] key in
            guard let q = queue.withLock({ $0 }) else { return }
            await q.add(key)
        }
        // The echo of a replica write is no news for the rule that wrote it (its lane wakes the rule);
        // without this, a bulk copy replanned every rule of the namespace once per object written.
        let news: @Sendable (JSONValue) async -> Void = { object in
            for key in keys() where !ReplicaEcho.isOwnWrite(object, rule: Self.annotation(of: key), fieldManager: ReplicationEffectExecutor.fieldManager) {
                await enqueue(key)
            }
        }
        members.addEventHandler(
            for: kind.resource, namespaced: kind.namespaced, namespace: kind.scope(namespace),
            synced: { _ in for key in keys() { await enqueue(key) } },
            { _ in InformerEventHandler(onAdd: news, onUpdate: { _, new in await news(new) }, onDelete: { _ in for key in keys() { await enqueue(key) } }) })
    }

    /// The `federation.concord.dev/rule` value of the rule with `key`.
    static func annotation(of key: ObjectKey) -> String { "\(key.namespace ?? "")/\(key.name)" }

    /// The keys of the Continuous rules in `namespace` that replicate `kind`.
    static func rules(replicating kind: String, apiVersion: String, in namespace: String, among rules: InformerCache<ReplicationRule>) -> [ObjectKey] {
        rules.list(namespace: namespace)
            .filter { rule in rule.spec.effectiveMode == .continuous && rule.spec.resources.contains { $0.kind == kind && $0.apiVersion == apiVersion } }
            .map(rules.key(of:))
    }
}
