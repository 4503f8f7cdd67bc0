import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Logging

/// Builds the FederationPolicy controller: its informer, and a watch on Datacenters that wakes
/// every policy when a member changes.
struct FederationPolicyController {
    let informer: Informer<FederationPolicy>
    let controller: Controller

    init(hub: KubeClient, datacenters: Informer<Datacenter>, members: MemberConnections, options: ControllerOptions, logger: Logger) {
        var log = logger
        log[metadataKey: "controllerKind"] = "FederationPolicy"
        let policies = hub.resource(FederationPolicy.self)
        let informer = Informer(policies, clock: options.clock, metrics: options.metrics, logger: log)
        let reconciler = FederationPolicyReconciler(
            policies: policies, datacenters: hub.resource(Datacenter.self), policyCache: informer.cache,
            datacenterCache: datacenters.cache, members: members, now: options.now,
            resyncInterval: .seconds(5),
            events: options.events?.recorder(for: "federation.concord.dev/federationpolicy-controller") ?? .disabled, logger: log)
        let controller = Controller(name: "federationpolicy", reconciler: reconciler, clock: options.clock, logger: log)
        controller.watch(informer)
        let cache = informer.cache
        controller.watch(datacenters) { _ in cache.keys }
        self.informer = informer
        self.controller = controller
    }
}
