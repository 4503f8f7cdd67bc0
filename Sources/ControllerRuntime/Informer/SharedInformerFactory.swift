import Foundation
import KubeClient
import KubernetesAPI
import Logging
import ServiceLifecycle
import Synchronization

/// One informer per resource (and namespace and selectors), shared by every controller of a
/// process, like controller-runtime's cache: two controllers watching Datacenters open one
/// list+watch and read one cache.
///
/// Add the factory to a `Manager` with `Manager.add(cache:)`: the manager runs it as one service,
/// which runs every informer once — also informers asked for after the manager started (they start
/// at once; wait for them with `waitForSync()`) — and gates readiness on their sync. Register
/// handlers and indexes before an informer starts, or they miss the objects already cached.
///
/// ```swift
/// let cache = SharedInformerFactory(client: hub)
/// let datacenters = cache.informer(for: Datacenter.self)
/// datacenters.cache.addIndex("spec.region") { [$0.spec.region] }
/// manager.add(cache: cache)
/// ```
public final class SharedInformerFactory: Service, Sendable {
    /// What makes two informer requests the same informer.
    struct Key: Hashable {
        var resource: GroupVersionResource
        var typed: ObjectIdentifier?
        var namespace: String?
        var labelSelector: String?
        var fieldSelector: String?
    }

    private let client: KubeClient
    private let resyncPeriod: Duration?
    private let resyncJitter: @Sendable () -> Double
    private let clock: RuntimeClock
    private let watcher: WatcherConfiguration
    private let logger: Logger
    private let metrics: RuntimeMetrics?
    private let decodeFailureHandlers = DecodeFailureHandlers()
    private let informers = Mutex<[(key: Key, informer: any SyncingService)]>([])
    private let created: AsyncStream<any SyncingService>
    private let createdContinuation: AsyncStream<any SyncingService>.Continuation

    /// Creates an empty factory over `client`. Each informer resyncs every `resyncPeriod` (nil: never)
    /// times its own factor from `resyncJitter` (controller-runtime spreads its 10 h `SyncPeriod`
    /// over [0.9, 1.1) so informers do not resync together); `clock` paces backoff and resyncs;
    /// `metrics` receives each informer's `concord_informer_decode_errors_total`.
    public init(
        client: KubeClient, resyncPeriod: Duration? = nil, resyncJitter: @escaping @Sendable () -> Double = { Double.random(in: 0.9..<1.1) },
        clock: any Clock<Duration> = ContinuousClock(), watcher: WatcherConfiguration = WatcherConfiguration(),
        metrics: RuntimeMetrics? = nil, logger: Logger = Logger(label: "concord.informer")
    ) {
        self.metrics = metrics
        (created, createdContinuation) = AsyncStream.makeStream(of: (any SyncingService).self)
        self.client = client
        self.resyncPeriod = resyncPeriod
        self.resyncJitter = resyncJitter
        self.clock = RuntimeClock(clock)
        self.watcher = watcher
        self.logger = logger
    }

    /// The shared typed informer for `type` in `namespace` (nil: all) with `options`' selectors.
    public func informer<R: KubeResource>(for type: R.Type, namespace: String? = nil, options: ListOptions = ListOptions()) -> Informer<R> {
        let resource = client.resource(R.self)
        let key = Key(resource: resource.scope.resource, typed: ObjectIdentifier(R.self), namespace: resource.scope.isNamespaced ? namespace : nil, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector)
        return shared(key) {
            Informer(
                resource, namespace: namespace, options: options, resyncPeriod: jitteredResync(), runtimeClock: clock, watcher: watcher,
                metrics: metrics, shared: decodeFailureHandlers, logger: logger)
        }
    }

    /// The shared unstructured informer for `resource`.
    public func dynamicInformer(_ resource: GroupVersionResource, namespaced: Bool, kind: String? = nil, namespace: String? = nil, options: ListOptions = ListOptions()) -> DynamicInformer {
        let key = Key(resource: resource, typed: nil, namespace: namespaced ? namespace : nil, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector)
        let dynamic = client.dynamic(resource, namespaced: namespaced, kind: kind)
        return shared(key) {
            Informer(
                dynamic, namespace: namespace, options: options, resyncPeriod: jitteredResync(), runtimeClock: clock, watcher: watcher,
                metrics: metrics, shared: decodeFailureHandlers, logger: logger)
        }
    }

    /// Registers a handler for undecodable objects on every informer of this factory, including
    /// informers created later (see `Informer.addDecodeFailureHandler(_:)`).
    public func addDecodeFailureHandler(_ handler: @escaping @Sendable (DecodeFailureEvent) async -> Void) {
        decodeFailureHandlers.add(handler)
    }

    /// Every informer handed out so far, in creation order.
    public var all: [any SyncingService] { informers.withLock { $0.map(\.informer) } }

    /// True once every informer handed out has synced.
    public var hasSynced: Bool { all.allSatisfy(\.hasSynced) }

    /// Whether `informer` is one of this factory's (the manager then leaves running it to the factory).
    public func owns(_ informer: any SyncingService) -> Bool {
        informers.withLock { list in list.contains { $0.informer === informer } }
    }

    /// Runs every informer handed out, and each one handed out later as soon as it is created, until
    /// cancelled or gracefully shut down. Run it once (the `Manager` does).
    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                for await informer in created {
                    group.addTask { try await informer.run() }
                }
            }
        } onGracefulShutdown: {
            self.createdContinuation.finish()
        }
    }

    /// Waits until every informer handed out so far has synced.
    public func waitForSync() async throws {
        for i in all { try await i.waitForSync() }
    }

    private func jitteredResync() -> Duration? {
        guard let period = resyncPeriod, period > .zero else { return nil }
        let seconds = Double(period.components.seconds) + Double(period.components.attoseconds) / 1e18
        return .milliseconds(Int64((seconds * resyncJitter() * 1000).rounded()))
    }

    private func shared<O: Sendable>(_ key: Key, make: () -> Informer<O>) -> Informer<O> {
        informers.withLock { list in
            if let existing = list.first(where: { $0.key == key })?.informer as? Informer<O> { return existing }
            let made = make()
            list.append((key, made))
            createdContinuation.yield(made)
            return made
        }
    }
}
