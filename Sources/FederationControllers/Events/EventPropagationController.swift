import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient

/// Builds the event propagation controller: Warning events that members record about objects
/// Concord manages there (replicas, standby copies) are re-recorded at the hub on the owning
/// ReplicationRule or ServiceFailover, naming the datacenter, so `kubectl describe rr|sf` at the
/// hub shows what went wrong where. It watches Datacenters (to start each member's Event
/// informer) and, through ``Members``, every member's Events.
enum EventPropagationController: FederationControllerBuilder {
    static func build(in context: FederationContext) -> BuiltController {
        let log = context.logger(kind: "Event")
        let datacenters = context.cache.informer(for: Datacenter.self)
        let rules = context.cache.informer(for: ReplicationRule.self)
        let reconciler = EventPropagationReconciler(
            members: context.members, datacenters: datacenters.cache, rules: rules.cache, services: context.hub.resource(ServiceFailover.self), kinds: ReplicatedKinds(now: context.now),
            ledger: RelayLedger(), hubEvents: context.events.map { _ in RelayedEvents(events: context.hub.resource(Event.self)) }, now: context.now,
            reconnectCheck: context.requeue.memberEventsCheck, logger: log)
        let controller = context.controller("eventpropagation", reconciler: reconciler, logger: log)
        let datacenterCache = datacenters.cache
        controller.watch(datacenters, map: { [datacenterCache] dc in [datacenterCache.key(of: dc)] }, changed: { $0.status?.phase != $1.status?.phase })
        controller.waitsFor(rules)
        let queue = controller.queue
        context.members.addEventHandler(for: Event.self, namespace: nil, options: ListOptions()) { datacenter in
            let enqueue: @Sendable (Event) async -> Void = { event in
                guard event.type == Event.warning else { return }
                await queue.add(EventPropagationKey.key(datacenter: datacenter, event: event))
            }
            return InformerEventHandler(onAdd: enqueue, onUpdate: { _, new in await enqueue(new) })
        }
        return BuiltController(controller: controller)
    }
}
