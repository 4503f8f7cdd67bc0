import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging

/// Builds the ServiceFailover controller: the shared informer over ServiceFailovers, a watch on
/// Datacenters that wakes every ServiceFailover when a member changes in a way a plan reads
/// (phase, reachability, cordon, capacity, the failover clock), and, through ``FailoverWatches``,
/// the member informers over the workloads, Services and EndpointSlices of their namespaces.
enum ServiceFailoverController: FederationControllerBuilder {
    static func build(in context: FederationContext) -> BuiltController {
        let log = context.logger(kind: "ServiceFailover")
        let informer = context.cache.informer(for: ServiceFailover.self)
        let datacenters = context.cache.informer(for: Datacenter.self)
        let watches = FailoverWatches(members: context.members, failovers: informer.cache)
        let reconciler = ServiceFailoverReconciler(
            failovers: context.hub.resource(ServiceFailover.self), cache: informer.cache, datacenterCache: datacenters.cache,
            members: context.members, kinds: ReplicatedKinds(now: context.now), watches: watches, clock: context.runtimeClock, now: context.now,
            requeue: context.requeue, cleanupTimeout: context.options.memberCleanupTimeout, events: context.recorder("servicefailover"),
            metrics: FailoverMetrics(registry: context.metrics?.registry), logger: log)
        let controller = context.controller("servicefailover", reconciler: reconciler, logger: log)
        controller.watch(informer)
        let cache = informer.cache
        if !cache.hasIndex(ServiceFailoverReconciler.claimIndex) { cache.addIndex(ServiceFailoverReconciler.claimIndex, ServiceFailoverReconciler.claims(of:)) }
        // A ServiceFailover created, changed or deleted wakes its rivals (those for the same Service or
        // workload): one stalled as a rival manages the Service once the other is gone.
        controller.watch(informer, map: { sf in ServiceFailoverReconciler.rivals(of: sf, in: cache).map { cache.key(of: $0) } })
        // An ActiveActive placement that moves (or completes a move) takes or frees room in its
        // datacenters: the other ActiveActive services that select one of them divide again against
        // what is left, so one waiting for room gets it once a move away has completed.
        let datacenterCache = datacenters.cache
        controller.watch(
            informer, map: { sf in ServiceFailoverReconciler.sharingCapacity(with: sf, in: cache, datacenters: datacenterCache) },
            changed: { old, new in
                old.status?.placement != new.status?.placement || old.status?.lastTransition?.completedAt != new.status?.lastTransition?.completedAt
            })
        // A Datacenter change also wakes the deleted ServiceFailovers that left objects in that member
        // while it was away (``ServiceFailoverReconciler/collectOrphans(_:)``).
        // Its own key (no namespace: no ServiceFailover has one) starts that member's leftover informers.
        controller.watch(
            datacenters, map: { dc in cache.keys + watches.orphanOwners(in: dc.metadata.name ?? "") + [ObjectKey(name: dc.metadata.name ?? "")] },
            changed: datacenterChangeMatters)
        watches.watchLeftovers()
        watches.start(controller.queue)
        return BuiltController(controller: controller)
    }

    /// True when a Datacenter update can change a failover plan: what a FederationPolicy plan reads
    /// (labels, deletion, cordon, phase, role, reachability), its capacity (which the division and the
    /// fit check read, and a FederationPolicy does not), or the start of its run of failed probes,
    /// which the failover clock counts from.
    static func datacenterChangeMatters(_ old: Datacenter, _ new: Datacenter) -> Bool {
        MemberView.planInputsChanged(from: old, to: new) || old.spec.capacity != new.spec.capacity
            || old.status?.unhealthySince != new.status?.unhealthySince
    }
}
