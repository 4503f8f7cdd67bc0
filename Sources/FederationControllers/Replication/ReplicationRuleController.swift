import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging

/// Builds the ReplicationRule controller: the shared informer over rules, watches on Datacenters
/// and FederationPolicies that wake every rule when a member or the primary changes in a way a
/// plan reads (a new member, a region, a promotion that moves the source),
/// and, through ``ReplicationWatches``, the member informers over each replicated kind: a change at
/// the source or in a target wakes the Continuous rules of that namespace and kind.
enum ReplicationRuleController: FederationControllerBuilder {
    static func build(in context: FederationContext) -> BuiltController {
        let log = context.logger(kind: "ReplicationRule")
        let informer = context.cache.informer(for: ReplicationRule.self)
        let datacenters = context.cache.informer(for: Datacenter.self)
        let policies = context.cache.informer(for: FederationPolicy.self)
        let watches = ReplicationWatches(members: context.members, rules: informer.cache)
        let lanes = ReplicationLanes()
        let reconciler = ReplicationRuleReconciler(
            rules: context.hub.resource(ReplicationRule.self), ruleCache: informer.cache, datacenterCache: datacenters.cache,
            policyCache: policies.cache, members: context.members, kinds: ReplicatedKinds(now: context.now), watches: watches,
            clock: context.runtimeClock, now: context.now, requeue: context.requeue, cleanupTimeout: context.options.memberCleanupTimeout, events: context.recorder("replicationrule"),
            metrics: ReplicationMetrics(registry: context.metrics?.registry, now: context.now), lanes: lanes, logger: log)
        // Rules are independent (per-rule memos, lanes and written statuses; a key is never handled
        // by two workers at once), so one rule's slow pass never holds back the others.
        let controller = context.controller("replicationrule", reconciler: reconciler, workers: Self.workers, logger: log)
        controller.watch(informer)
        let ruleCache = informer.cache
        // Only changes a replication plan reads wake the rules: membership, phase, role, region; a
        // promotion or a topology change. Probe-time refreshes and latency drift, most Datacenter writes, wake none.
        // These wake every rule, so at low priority: a rule's own changes (a new rule's first
        // status) are not queued behind a pass of every rule per Datacenter change.
        controller.watch(datacenters, map: { _ in ruleCache.keys }, changed: datacenterChangeMatters, priority: QueuePriority.low)
        controller.watch(policies, map: { _ in ruleCache.keys }, changed: {
            $0.status?.primary != $1.status?.primary || $0.status?.epoch != $1.status?.epoch || $0.spec.topology != $1.spec.topology
        }, priority: QueuePriority.low)
        watches.start(controller.queue)
        let queue = controller.queue
        lanes.onFinish { key in await queue.add(key) }
        return BuiltController(controller: controller, services: [lanes])
    }

    /// Rules reconciled at once.
    static let workers = 4

    /// True when a Datacenter update can change a replication plan: what a FederationPolicy plan
    /// reads (labels, deletion, phase, role, reachability) or the region residency is judged by.
    static func datacenterChangeMatters(_ old: Datacenter, _ new: Datacenter) -> Bool {
        MemberView.planInputsChanged(from: old, to: new) || old.spec.region != new.spec.region
    }
}
