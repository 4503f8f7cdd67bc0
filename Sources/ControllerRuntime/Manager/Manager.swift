import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs everything a controller process needs as swift-service-lifecycle services in one
/// `ServiceGroup`, in controller-runtime's order:
/// 1. other services (probes, metrics servers) — `add(service:)`;
/// 2. informers (caches) — `add(informer:)`;
/// 3. the leader election campaign, if any;
/// 4. controllers, gated by leader election — `add(controller:)`; each waits for its informers to sync.
///
/// Losing leadership cancels everything and `run()` throws `LeaderElectionLost`: the process exits.
///
/// Shutdown (SIGTERM/SIGINT with `run()`, `shutdown()`, or an outer group's graceful shutdown)
/// goes in reverse: controllers drain their queues first, then informers stop, then the rest.
///
/// ```swift
/// let manager = Manager(logger: logger)
/// manager.add(informer: informer)
/// manager.add(controller: controller)
/// try await manager.run()   // returns after SIGTERM/SIGINT and a clean drain
/// ```
public final class Manager: Service, Sendable {
    private struct State {
        var others: [any Service] = []
        var informers: [any SyncingService] = []
        var caches: [SharedInformerFactory] = []
        var controllers: [Controller] = []
        var group: ServiceGroup?
        var shutdownRequested = false
    }
    private let state = Mutex(State())
    private let leaderElection: any LeaderElection
    private let logger: Logger

    /// Creates a manager; `leaderElection` gates the controllers (default: always leader).
    public init(leaderElection: any LeaderElection = AlwaysLeader(), logger: Logger = Logger(label: "concord.manager")) {
        self.leaderElection = leaderElection
        self.logger = logger
    }

    /// Adds a service started before the informers (health probes, metrics).
    public func add(service: any Service) { state.withLock { $0.others.append(service) } }

    /// Adds an informer (a cache). Controllers watching it wait for its sync. Informers that an
    /// added controller watches are run even without this call; an informer runs once.
    public func add(informer: any SyncingService) { state.withLock { $0.informers.append(informer) } }

    /// Adds a shared cache: it runs every informer it hands out (also later ones), once, and
    /// readiness waits for them.
    public func add(cache: SharedInformerFactory) { state.withLock { $0.caches.append(cache) } }

    /// Adds a controller; it runs only while this process leads.
    public func add(controller: Controller) { state.withLock { $0.controllers.append(controller) } }

    /// Every informer (added, or watched by an added controller) has synced.
    public var hasSynced: Bool {
        let (informers, caches, controllers) = state.withLock { ($0.informers, $0.caches, $0.controllers) }
        return (informers + caches.flatMap(\.all) + controllers.flatMap(\.watchedSources)).allSatisfy(\.hasSynced)
    }

    /// Runs until SIGTERM or SIGINT (or `shutdown()`), then shuts down gracefully.
    public func run() async throws {
        try await run(handlingSignals: true)
    }

    /// Runs; with `handlingSignals` SIGTERM and SIGINT start a graceful shutdown (tests pass false
    /// and call `shutdown()`). Also follows an enclosing `ServiceGroup`'s graceful shutdown.
    public func run(handlingSignals: Bool) async throws {
        let group = makeGroup(handlingSignals: handlingSignals)
        let alreadyRequested = state.withLock { s -> Bool in
            s.group = group
            return s.shutdownRequested
        }
        if alreadyRequested { await group.triggerGracefulShutdown() }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                // Forward an outer ServiceGroup's graceful shutdown to ours.
                try await gracefulShutdown()
                await group.triggerGracefulShutdown()
            }
            try await tasks.next()
            tasks.cancelAll()
        }
        state.withLock { $0.group = nil }
        logger.info("Manager stopped")
    }

    /// Starts a graceful shutdown: controllers drain, then informers and services stop.
    public func shutdown() async {
        let group = state.withLock { s -> ServiceGroup? in
            s.shutdownRequested = true
            return s.group
        }
        await group?.triggerGracefulShutdown()
    }

    private func makeGroup(handlingSignals: Bool) -> ServiceGroup {
        let (others, explicit, caches, controllers) = state.withLock { ($0.others, $0.informers, $0.caches, $0.controllers) }
        // Informers a controller watches run even when they were not added explicitly; each runs once,
        // informers of a shared cache through that cache.
        var informers: [any SyncingService] = []
        var seen = Set<ObjectIdentifier>()
        for i in explicit + controllers.flatMap(\.watchedSources) where seen.insert(ObjectIdentifier(i)).inserted {
            if !caches.contains(where: { $0.owns(i) }) { informers.append(i) }
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        for s in others {
            services.append(.init(service: s, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup))
        }
        for c in caches {
            services.append(.init(service: c, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup, serviceName: "cache"))
        }
        for i in informers {
            services.append(.init(service: i, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup, serviceName: "informer \(i.name)"))
        }
        let election = leaderElection
        if let campaign = election.campaign {
            // After the caches, before the controllers: shut down after the controllers have drained.
            services.append(.init(service: campaign, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup, serviceName: "leader election"))
        }
        for c in controllers {
            let gated = LeaderGatedService(name: c.name, election: election, inner: c)
            services.append(.init(service: gated, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .cancelGroup, serviceName: "controller \(c.name)"))
        }
        var config = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: handlingSignals ? [.sigterm, .sigint] : [], logger: logger)
        config.maximumGracefulShutdownDuration = Duration.seconds(30)
        return ServiceGroup(configuration: config)
    }
}

/// Runs a service only while leading.
struct LeaderGatedService: Service {
    let name: String
    let election: any LeaderElection
    let inner: any Service

    func run() async throws {
        let inner = self.inner
        try await election.runWhileLeading { try await inner.run() }
    }
}
