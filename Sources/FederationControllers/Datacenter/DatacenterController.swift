import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Logging
import Synchronization

/// Builds the Datacenter controller: an informer over Datacenters, the probe loops, and the
/// reconciler that folds probes into status.
struct DatacenterController {
    let informer: Informer<Datacenter>
    let controller: Controller
    let prober: HealthProber
    let members: MemberConnections

    /// The custom index of Datacenters by `spec.region`.
    static let regionIndex = "spec.region"

    init(hub: KubeClient, cache: SharedInformerFactory, options: ControllerOptions, logger: Logger) {
        var log = logger
        log[metadataKey: "controllerKind"] = "Datacenter"
        let datacenters = hub.resource(Datacenter.self)
        let informer = cache.informer(for: Datacenter.self)
        informer.cache.addIndex(Self.regionIndex) { [$0.spec.region] }
        let ledger = ProbeLedger()
        let members = MemberConnections(logger: log, clock: RuntimeClock(options.clock))
        let wake = KeySink()
        let prober = HealthProber(
            ledger: ledger, clock: RuntimeClock(options.clock), now: options.now, logger: log,
            onProbe: { name in await wake.send(ObjectKey(name: name)) })
        let reconciler = DatacenterReconciler(
            datacenters: datacenters, secrets: hub.resource(Secret.self), leases: hub.resource(Lease.self), cache: informer.cache,
            ledger: ledger, prober: prober, members: members, now: options.now,
            cleanupTimeout: options.memberCleanupTimeout, credentialsRefresh: 30,
            metrics: DatacenterMetrics(registry: options.metrics?.registry, cache: informer.cache),
            events: options.events?.recorder(for: "federation.concord.dev/datacenter-controller") ?? .disabled, logger: log)
        let controller = Controller(
            name: "datacenter", reconciler: reconciler, workers: options.datacenterWorkers,
            clock: options.clock, observer: options.metrics ?? NoControllerObserver(), logger: log)
        controller.watch(informer)
        wake.connect(controller.queue)
        self.informer = informer
        self.controller = controller
        self.prober = prober
        self.members = members
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
