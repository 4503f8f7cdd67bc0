import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Logging
import ServiceLifecycle

/// What every federation controller is built from: the hub, the shared informer cache, the
/// members, time, events, metrics and the requeue policy. One per process; the
/// ``FederationControllerSet`` makes it and hands it to each controller's builder.
struct FederationContext: Sendable {
    /// The hub API server.
    let hub: KubeClient
    /// The shared informers over the hub: one list+watch per kind, read by every controller.
    let cache: SharedInformerFactory
    /// The member clusters: clients and informer caches.
    let members: Members
    /// Paces probes, requeues, backoff and timeouts; tests inject a virtual clock.
    let clock: any Clock<Duration>
    /// `clock`, wrapped once for the runtime pieces.
    let runtimeClock: RuntimeClock
    /// Wall time for timestamps written into status.
    let now: @Sendable () -> Date
    /// Sends events (nil: none are recorded).
    let events: EventBroadcaster?
    /// controller-runtime's metrics and Concord's (nil: none are recorded).
    let metrics: RuntimeMetrics?
    /// Every delay the controllers choose.
    let requeue: RequeuePolicy
    /// The process's options.
    let options: ControllerOptions
    /// The process's logger.
    let logger: Logger

    /// Builds the context over `hub`.
    init(hub: KubeClient, options: ControllerOptions, logger: Logger) {
        self.hub = hub
        self.options = options
        self.clock = options.clock
        self.runtimeClock = RuntimeClock(options.clock)
        self.now = options.now
        self.events = options.events
        self.metrics = options.metrics
        self.requeue = options.requeue
        self.logger = logger
        self.cache = SharedInformerFactory(client: hub, clock: options.clock, metrics: options.metrics, logger: logger)
        var membersLog = logger
        membersLog[metadataKey: "component"] = "members"
        self.members = Members(
            connections: MemberConnections(logger: membersLog, clock: runtimeClock), clock: runtimeClock,
            watchBackoff: options.requeue.memberWatchBackoff, logger: membersLog)
    }

    /// The logger of a controller of `kind` (controller-runtime's `controllerKind` key).
    func logger(kind: String) -> Logger {
        var log = logger
        log[metadataKey: "controllerKind"] = "\(kind)"
        return log
    }

    /// The event recorder of `controller` (`federation.concord.dev/<controller>-controller`).
    func recorder(_ controller: String) -> EventRecorder {
        events?.recorder(for: "federation.concord.dev/\(controller)-controller") ?? .disabled
    }

    /// A controller named `name` running `reconciler` on the context's clock, with the metrics observer.
    func controller(_ name: String, reconciler: any Reconciler, workers: Int = 1, logger: Logger) -> Controller {
        Controller(
            name: name, reconciler: reconciler, workers: workers, runtimeClock: runtimeClock,
            observer: metrics ?? NoControllerObserver(), logger: logger)
    }
}

/// Builds one federation controller from the context: each controller's folder has one builder
/// and one reconciler, and ``FederationControllerSet/builders`` lists the builders.
protocol FederationControllerBuilder {
    /// Builds the controller and the services it needs.
    static func build(in context: FederationContext) -> BuiltController
}

/// What a builder hands the manager: the controller, and services it needs running (probe loops).
struct BuiltController: Sendable {
    /// The controller; the manager runs it while this process leads.
    var controller: Controller
    /// Services started before the informers and stopped after the controllers.
    var services: [any Service] = []
}
