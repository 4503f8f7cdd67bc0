import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Logging
import Synchronization

/// Builds the Datacenter controller: the shared informer over Datacenters, the probe loops, and
/// the reconciler that folds probes into status.
enum DatacenterController: FederationControllerBuilder {
    /// The custom index of Datacenters by `spec.region`.
    static let regionIndex = "spec.region"

    static func build(in context: FederationContext) -> BuiltController {
        let log = context.logger(kind: "Datacenter")
        let informer = context.cache.informer(for: Datacenter.self)
        informer.cache.addIndex(Self.regionIndex) { [$0.spec.region] }
        let ledger = ProbeLedger()
        let wake = KeySink()
        let prober = HealthProber(
            ledger: ledger, clock: context.runtimeClock, now: context.now, logger: log,
            onProbe: { name in await wake.send(ObjectKey(name: name)) })
        let reconciler = DatacenterReconciler(
            datacenters: context.hub.resource(Datacenter.self), secrets: context.hub.resource(Secret.self),
            leases: context.hub.resource(Lease.self), cache: informer.cache,
            ledger: ledger, prober: prober, members: context.members, clock: context.runtimeClock, now: context.now,
            cleanupTimeout: context.options.memberCleanupTimeout, requeue: context.requeue,
            metrics: DatacenterMetrics(registry: context.metrics?.registry, cache: informer.cache),
            events: context.recorder("datacenter"), logger: log)
        let controller = context.controller("datacenter", reconciler: reconciler, workers: context.options.datacenterWorkers, logger: log)
        controller.watch(informer)
        wake.connect(controller.queue)
        return BuiltController(controller: controller, services: [prober])
    }
}

/// Forwards keys to a work queue that is created after its producers.
final class KeySink: Sendable {
    private let queue = Mutex<WorkQueue<ObjectKey>?>(nil)

    /// Attaches the queue.
    func connect(_ q: WorkQueue<ObjectKey>) { queue.withLock { $0 = q } }

    /// Enqueues a key (dropped until a queue is attached).
    func send(_ key: ObjectKey) async {
        guard let q = queue.withLock({ $0 }) else { return }
        await q.add(key)
    }
}

extension InformerCache where Object == Datacenter {
    /// Cached Datacenters in `region` (`spec.region`), through the region index when it is registered.
    public func datacenters(inRegion region: String) -> [Datacenter] {
        if hasIndex(DatacenterController.regionIndex) { return byIndex(DatacenterController.regionIndex, region) }
        return list().filter { $0.spec.region == region }
    }
}
