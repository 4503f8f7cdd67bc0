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

    /// Creates options with production defaults.
    public init(
        clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() },
        datacenterWorkers: Int = 4, memberCleanupTimeout: TimeInterval = 30, metrics: RuntimeMetrics? = nil,
        events: EventBroadcaster? = nil
    ) {
        self.metrics = metrics
        self.events = events
        self.clock = clock
        self.now = now
        self.datacenterWorkers = datacenterWorkers
        self.memberCleanupTimeout = memberCleanupTimeout
    }
}

/// Concord's controllers, wired into a controller-runtime `Manager`.
public struct FederationControllerSet: Sendable {
    /// Runs informers, probes and controllers; `run()` returns after SIGTERM/SIGINT and a clean drain.
    public let manager: Manager
    /// The shared informers (controller-runtime's cache); Datacenters are indexed by `spec.region`.
    public let cache: SharedInformerFactory
    private let members: MemberConnections

    /// Builds every controller against the hub; `leaderElection` gates them (default: always lead).
    public init(hub: KubeClient, options: ControllerOptions = ControllerOptions(), leaderElection: any LeaderElection = AlwaysLeader(), logger: Logger) {
        let manager = Manager(leaderElection: leaderElection, logger: logger)
        if let events = options.events { manager.add(service: events) }
        // One list+watch per kind, shared by every controller that reads it.
        let cache = SharedInformerFactory(client: hub, clock: options.clock, metrics: options.metrics, logger: logger)
        let datacenter = DatacenterController(hub: hub, cache: cache, options: options, logger: logger)
        manager.add(service: datacenter.prober)
        manager.add(cache: cache)
        manager.add(controller: datacenter.controller)
        let policy = FederationPolicyController(hub: hub, datacenters: datacenter.informer, members: datacenter.members, options: options, logger: logger)
        manager.add(informer: policy.informer)
        manager.add(controller: policy.controller)
        let invalid = InvalidObjectReporter(hub: hub, now: options.now, logger: logger)  // Undecodable objects: Stalled/InvalidObject.
        cache.addDecodeFailureHandler(invalid.handle)
        policy.informer.addDecodeFailureHandler(invalid.handle)
        self.manager = manager
        self.cache = cache
        self.members = datacenter.members
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
