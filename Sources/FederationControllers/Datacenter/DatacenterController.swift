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

    init(hub: KubeClient, options: ControllerOptions, logger: Logger) {
        var log = logger
        log[metadataKey: "controllerKind"] = "Datacenter"
        let datacenters = hub.resource(Datacenter.self)
        let informer = Informer(datacenters, clock: options.clock, logger: log)
        let ledger = ProbeLedger()
        let members = MemberConnections(logger: log)
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
