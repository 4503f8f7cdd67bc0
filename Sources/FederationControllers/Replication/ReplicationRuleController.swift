import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging

/// Builds the ReplicationRule controller: the shared informer over rules, watches on Datacenters
/// and FederationPolicies that wake every rule (a new member, a promotion that moves the source),
/// and, through ``ReplicationWatches``, the member informers over each replicated kind: a change at
/// the source or in a target wakes the Continuous rules of that namespace and kind.
enum ReplicationRuleController: FederationControllerBuilder {
    static func build(in context: FederationContext) -> BuiltController {
        let log = context.logger(kind: "ReplicationRule")
        let informer = context.cache.informer(for: ReplicationRule.self)
        let datacenters = context.cache.informer(for: Datacenter.self)
        let policies = context.cache.informer(for: FederationPolicy.self)
        let watches = ReplicationWatches(members: context.members, rules: informer.cache)
        let reconciler = ReplicationRuleReconciler(
            rules: context.hub.resource(ReplicationRule.self), ruleCache: informer.cache, datacenterCache: datacenters.cache,
            policyCache: policies.cache, members: context.members, kinds: ReplicatedKinds(), watches: watches,
            clock: context.runtimeClock, now: context.now, requeue: context.requeue, events: context.recorder("replicationrule"),
            metrics: ReplicationMetrics(registry: context.metrics?.registry), logger: log)
        let controller = context.controller("replicationrule", reconciler: reconciler, logger: log)
        controller.watch(informer)
        let ruleCache = informer.cache
        controller.watch(datacenters) { _ in ruleCache.keys }
        controller.watch(policies) { _ in ruleCache.keys }
        watches.start(controller.queue)
        return BuiltController(controller: controller)
    }
}
