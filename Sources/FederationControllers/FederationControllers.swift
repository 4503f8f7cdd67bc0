import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Logging
import ServiceLifecycle

/// Settings shared by Concord's controllers.
public struct ControllerOptions: Sendable {
    /// Paces probes, requeues and backoff; tests inject a virtual clock.
    public var clock: any Clock<Duration>
    /// Wall time for timestamps written into status.
    public var now: @Sendable () -> Date
    /// Concurrent Datacenter reconciles (each only talks to the hub; probes run apart).
    public var datacenterWorkers: Int
    /// How long a Datacenter deletion waits for an unreachable member before leaving its marker behind.
    public var memberCleanupTimeout: TimeInterval
    /// controller-runtime's metrics and the `concord_*` federation metrics; nil records none.
    public var metrics: RuntimeMetrics?
    /// Sends the controllers' events (events.k8s.io/v1); nil records none. The manager runs it.
    public var events: EventBroadcaster?
    /// Every delay the controllers choose.
    public var requeue: RequeuePolicy

    /// Creates options with production defaults.
    public init(
        clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() },
        datacenterWorkers: Int = 4, memberCleanupTimeout: TimeInterval = 30, metrics: RuntimeMetrics? = nil,
        events: EventBroadcaster? = nil, requeue: RequeuePolicy = RequeuePolicy()
    ) {
        self.metrics = metrics
        self.events = events
        self.requeue = requeue
        self.clock = clock
        self.now = now
        self.datacenterWorkers = datacenterWorkers
        self.memberCleanupTimeout = memberCleanupTimeout
    }
}

/// Concord's controllers, wired into a controller-runtime `Manager`.
public struct FederationControllerSet: Sendable {
    /// Every federation controller, in the order they are added to the manager. A new controller
    /// is one folder with a builder and a reconciler, plus one line here.
    static var builders: [any FederationControllerBuilder.Type] {
        [
            DatacenterController.self,
            FederationPolicyController.self,
            ReplicationRuleController.self,
            ServiceFailoverController.self,
            EventPropagationController.self,
        ]
    }

    /// Runs informers, probes and controllers; `run()` returns after SIGTERM/SIGINT and a clean drain.
    public let manager: Manager
    /// The shared informers (controller-runtime's cache); Datacenters are indexed by `spec.region`.
    public let cache: SharedInformerFactory
    private let members: Members

    /// Builds every controller against the hub; `leaderElection` gates them (default: always lead).
    public init(hub: KubeClient, options: ControllerOptions = ControllerOptions(), leaderElection: any LeaderElection = AlwaysLeader(), logger: Logger) {
        let manager = Manager(leaderElection: leaderElection, logger: logger)
        let context = FederationContext(hub: hub, options: options, logger: logger)
        if let events = options.events { manager.add(service: events) }
        // Services stop in reverse order: probes before the member clients they use.
        manager.add(service: context.members)
        // One list+watch per kind, shared by every controller that reads it.
        manager.add(cache: context.cache)
        for builder in Self.builders {
            let built = builder.build(in: context)
            for service in built.services { manager.add(service: service) }
            manager.add(controller: built.controller)
        }
        // Undecodable objects of Concord's kinds are marked Stalled/InvalidObject.
        let invalid = InvalidObjectReporter(hub: hub, now: options.now, logger: logger)
        context.cache.addDecodeFailureHandler(invalid.handle)
        self.manager = manager
        self.cache = context.cache
        self.members = context.members
    }

    /// Runs until shut down (SIGTERM/SIGINT when `handlingSignals`, or `shutdown()`), then closes every member connection.
    public func run(handlingSignals: Bool = true) async throws {
        do {
            try await manager.run(handlingSignals: handlingSignals)
        } catch {
            await members.shutdownAll()
            throw error
        }
        await members.shutdownAll()
    }

    /// Starts a graceful shutdown: queues drain, probes stop.
    public func shutdown() async { await manager.shutdown() }
}
