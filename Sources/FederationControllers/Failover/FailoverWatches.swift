import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Synchronization

/// Wakes ServiceFailovers when what they read changes in a member: the workload, the Service and
/// the EndpointSlices of their namespace.
///
/// The namespaces and workload kinds are known only once a ServiceFailover is read, so the member
/// handlers are registered on first use, per resource and namespace (``ensure(_:kind:namespace:)``),
/// before the reconciler asks ``Members`` for those informers. A change in any member enqueues
/// every ServiceFailover of that namespace, and, for an object Concord made for a ServiceFailover
/// that no longer exists (left in a member that was away while it was deleted), that
/// ServiceFailover's key: its pass then removes what is left (``ServiceFailoverReconciler/collectOrphans(_:)``).
/// A member that returns lists its objects again, so each such object is seen.
final class FailoverWatches: Sendable {
    private let members: Members
    private let failovers: InformerCache<ServiceFailover>
    private let queue = Mutex<WorkQueue<ObjectKey>?>(nil)
    private let registered = Mutex<Set<String>>([])
    /// The resources registered per namespace, with their kinds.
    private let kinds = Mutex<[String: [GroupVersionResource: String]]>([:])

    init(members: Members, failovers: InformerCache<ServiceFailover>) {
        self.members = members
        self.failovers = failovers
    }

    /// Sets the queue events go to (the controller's).
    func start(_ queue: WorkQueue<ObjectKey>) { self.queue.withLock { $0 = queue } }

    /// Registers the member handlers for `resource` (objects of `kind`) in `namespace`, once.
    func ensure(_ resource: GroupVersionResource, kind: String, namespace: String) {
        let id = "\(resource) \(namespace)"
        guard registered.withLock({ $0.insert(id).inserted }) else { return }
        kinds.withLock { $0[namespace, default: [:]][resource] = kind }
        let keys: @Sendable (JSONValue) -> [ObjectKey] = { [failovers] object in
            var keys = failovers.list(namespace: namespace).map(failovers.key(of:))
            if let owner = FailoverOrphans.owner(of: object) {
                let key = ObjectKey(namespace: namespace, name: owner)
                if failovers.get(key) == nil { keys.append(key) }
            }
            return keys
        }
        let enqueue: @Sendable (ObjectKey) async -> Void = { [self] key in await self.enqueue(key) }
        members.addEventHandler(
            for: resource, namespaced: true, namespace: namespace,
            synced: { [failovers] _ in for key in failovers.list(namespace: namespace).map(failovers.key(of:)) { await enqueue(key) } },
            { _ in .mapping(keys, to: enqueue) })
    }

    /// The keys of the ServiceFailovers that no longer exist but left objects in `datacenter`, as its
    /// member's running informers show them (for a member that returns: one whose watches resumed
    /// brings no event for an object that did not change while it was away).
    func orphanOwners(in datacenter: String) -> [ObjectKey] {
        var owners = Set<ObjectKey>()
        for (namespace, resources) in kinds.withLock({ $0 }) {
            for resource in resources.keys {
                guard let informer = members.runningInformer(for: resource, namespaced: true, in: datacenter, namespace: namespace) else { continue }
                for object in informer.cache.list(namespace: namespace, labelSelector: LabelSelector(matchLabels: [FederationLabel.managed: "true"])) {
                    guard let owner = FailoverOrphans.owner(of: object) else { continue }
                    let key = ObjectKey(namespace: namespace, name: owner)
                    if failovers.get(key) == nil { owners.insert(key) }
                }
            }
        }
        return owners.sorted()
    }

    /// The kinds whose label-selected informers over every namespace of each member find what a deleted
    /// ServiceFailover left there (``watchLeftovers()``): its global Service, Service copies and
    /// workload copies of the kinds a ServiceFailover names most (Deployment, StatefulSet).
    static let leftoverKinds: [(resource: GroupVersionResource, kind: String)] = [
        (FailoverResources.services, "Service"),
        deployments,
        (GroupVersionResource(group: "apps", version: "v1", resource: "statefulsets"), "StatefulSet"),
    ]

    /// Deployments, the default workload kind.
    static let deployments = (resource: GroupVersionResource(group: "apps", version: "v1", resource: "deployments"), kind: "Deployment")

    /// True for Services and EndpointSlices (the kinds that are not workloads).
    static func isServiceKind(_ resource: GroupVersionResource) -> Bool {
        resource == FailoverResources.services || resource == FailoverResources.endpointSlices
    }

    /// Only what Concord made for some ServiceFailover.
    static let leftoverOptions = ListOptions(labelSelector: "\(FederationLabel.managed)=true,\(FederationLabel.serviceFailover)")

    /// Registers the handlers of the ``leftoverKinds`` informers (started per member by
    /// ``ServiceFailoverReconciler/watchLeftovers(in:)``): an object whose ServiceFailover no longer
    /// exists registers its namespace's watches, as a read of a ServiceFailover there would, and
    /// enqueues that ServiceFailover's key, whose pass removes what is left. So leftovers are found in
    /// any namespace, also in one no ServiceFailover was read in since the controller started.
    func watchLeftovers() {
        for (resource, kind) in Self.leftoverKinds {
            let keys: @Sendable (JSONValue) -> [ObjectKey] = { [self] object in
                guard let owner = FailoverOrphans.owner(of: object), let namespace = object["metadata"]?["namespace"]?.stringValue else { return [] }
                let key = ObjectKey(namespace: namespace, name: owner)
                guard failovers.get(key) == nil else { return [] }
                // The object's own kind, the Service kinds, and Deployments (the default workload kind):
                // a Service copy is removed only once some workload kind's copies are listed.
                for (resource, kind) in [(resource, kind), (FailoverResources.services, "Service"), (FailoverResources.endpointSlices, "EndpointSlice"), Self.deployments] {
                    ensure(resource, kind: kind, namespace: namespace)
                }
                return [key]
            }
            members.addEventHandler(for: resource, namespaced: true, namespace: nil, options: Self.leftoverOptions) { _ in
                .mapping(keys, to: { [self] key in await self.enqueue(key) })
            }
        }
    }

    /// Adds `key` to the controller's queue, once it is set.
    private func enqueue(_ key: ObjectKey) async {
        guard let q = queue.withLock({ $0 }) else { return }
        await q.add(key)
    }

    /// The member resources registered in `namespace`, with their kinds.
    func resources(in namespace: String) -> [GroupVersionResource: String] { kinds.withLock { $0[namespace] ?? [:] } }
}
