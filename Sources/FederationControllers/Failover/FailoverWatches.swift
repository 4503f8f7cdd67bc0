import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Synchronization

/// Wakes ServiceFailovers when what they read changes in a member: the workload, the Service and
/// the EndpointSlices of their namespace.
///
/// The namespaces and workload kinds are known only once a ServiceFailover is read, so the member
/// handlers are registered on first use, per resource and namespace (``ensure(_:namespace:)``),
/// before the reconciler asks ``Members`` for those informers. A change in any member enqueues
/// every ServiceFailover of that namespace.
final class FailoverWatches: Sendable {
    private let members: Members
    private let failovers: InformerCache<ServiceFailover>
    private let queue = Mutex<WorkQueue<ObjectKey>?>(nil)
    private let registered = Mutex<Set<String>>([])

    init(members: Members, failovers: InformerCache<ServiceFailover>) {
        self.members = members
        self.failovers = failovers
    }

    /// Sets the queue events go to (the controller's).
    func start(_ queue: WorkQueue<ObjectKey>) { self.queue.withLock { $0 = queue } }

    /// Registers the member handlers for `resource` in `namespace`, once.
    func ensure(_ resource: GroupVersionResource, namespace: String) {
        let id = "\(resource) \(namespace)"
        guard registered.withLock({ $0.insert(id).inserted }) else { return }
        let keys: @Sendable () -> [ObjectKey] = { [failovers] in failovers.list(namespace: namespace).map(failovers.key(of:)) }
        let enqueue: @Sendable (ObjectKey) async -> Void = { [self] key in
            guard let q = queue.withLock({ $0 }) else { return }
            await q.add(key)
        }
        members.addEventHandler(
            for: resource, namespaced: true, namespace: namespace,
            synced: { _ in for key in keys() { await enqueue(key) } },
            { _ in .mapping({ _ in keys() }, to: enqueue) })
    }
}
