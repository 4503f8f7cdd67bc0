import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging

/// Builds the FederationPolicy controller: the shared informer over policies, a watch on
/// Datacenters that wakes the policies selecting a member when its plan inputs change, and the fencing markers of the
/// members, watched in each member: a marker change in member X wakes every policy selecting X.
enum FederationPolicyController: FederationControllerBuilder {
    /// The member informer the markers are read from: ConfigMap `concord-system/concord-federation` only.
    static let markerNamespace = FencingMarker.namespace
    /// Selects the marker by name, so each member caches one ConfigMap.
    static let markerOptions = ListOptions(fieldSelector: "metadata.name=\(FencingMarker.name)")

    static func build(in context: FederationContext) -> BuiltController {
        let log = context.logger(kind: "FederationPolicy")
        let informer = context.cache.informer(for: FederationPolicy.self)
        let datacenters = context.cache.informer(for: Datacenter.self)
        let reconciler = FederationPolicyReconciler(
            policies: context.hub.resource(FederationPolicy.self), datacenters: context.hub.resource(Datacenter.self),
            policyCache: informer.cache, datacenterCache: datacenters.cache, members: context.members,
            clock: context.runtimeClock, now: context.now, requeue: context.requeue,
            events: context.recorder("federationpolicy"), logger: log)
        let controller = context.controller("federationpolicy", reconciler: reconciler, logger: log)
        controller.watch(informer)
        PolicyMetrics.install(registry: context.metrics?.registry, cache: informer.cache)
        let policyCache = informer.cache
        // A Datacenter event wakes the policies selecting it (before or after the change), and an
        // update only when it changes what a plan reads: the probe-time and latency refreshes do not.
        controller.watch(
            datacenters, map: { dc in policies(selecting: dc, policies: policyCache) },
            changed: MemberView.planInputsChanged(from:to:))
        let queue = controller.queue
        let datacenterCache = datacenters.cache
        let selecting: @Sendable (String) -> [ObjectKey] = { datacenter in
            policies(selecting: datacenter, policies: policyCache, datacenters: datacenterCache)
        }
        context.members.addEventHandler(
            for: ConfigMap.self, namespace: markerNamespace, options: markerOptions,
            synced: { datacenter in for key in selecting(datacenter) { await queue.add(key) } },
            { datacenter in .mapping({ _ in selecting(datacenter) }, to: { await queue.add($0) }) })
        return BuiltController(controller: controller)
    }

    /// The keys of the cached policies whose selector picks Datacenter `datacenter`.
    static func policies(selecting datacenter: String, policies: InformerCache<FederationPolicy>, datacenters: InformerCache<Datacenter>) -> [ObjectKey] {
        guard let dc = datacenters.get(name: datacenter) else { return [] }
        return Self.policies(selecting: dc, policies: policies)
    }

    /// The keys of the cached policies whose selector matches `datacenter`'s labels (whether or not
    /// it is being deleted: a policy must see a member leave).
    static func policies(selecting datacenter: Datacenter, policies: InformerCache<FederationPolicy>) -> [ObjectKey] {
        policies.list().filter { $0.spec.effectiveDatacenterSelector.matches(datacenter.metadata.labels) }.map(policies.key(of:))
    }
}
