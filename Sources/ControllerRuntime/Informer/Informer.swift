import Foundation
import KubeClient
import KubernetesAPI
import Logging
import ServiceLifecycle
import Synchronization

/// A service whose cache must be filled before controllers start (informers).
public protocol SyncingService: AnyObject, Service {
    /// A name for logs.
    var name: String { get }
    /// True once the first full list is in the cache.
    var hasSynced: Bool { get }
    /// Returns once synced; throws `CancellationError` if cancelled first.
    func waitForSync() async throws
}

/// Unstructured informer: objects as `JSONValue`.
public typealias DynamicInformer = Informer<JSONValue>

/// List + watch into a cache, calling event handlers for every change.
///
/// - The first list fills the cache (`onAdd` for each object) and opens `hasSynced`.
/// - Watch events keep it current (`onAdd`, `onUpdate(old, new)`, `onDelete`).
/// - A relist (after 410 Expired) replaces the cache: `onUpdate` for objects still present,
///   `onAdd` for new ones, `onDelete` for those that vanished.
/// - With a resync period, every cached object is re-delivered as `onUpdate(o, o)`.
/// - An object the typed decoder refuses is skipped; the rest of the list and watch go on (see
///   `addDecodeFailureHandler(_:)` for what happens to it).
/// - With a transform, every listed or watched object passes through it before it enters the cache
///   or reaches a handler (to drop what no reader needs and keep the cache small).
///
/// Run it as a `Service` (the `Manager` does); it stops on cancellation or graceful shutdown.
/// Add handlers before running.
public final class Informer<Object: Sendable>: SyncingService, Sendable {
    /// The cache; read it from reconcilers.
    public let cache: InformerCache<Object>
    /// A name for logs (`resource.version.group`).
    public let name: String
    /// The resource listed and watched.
    public let resource: GroupVersionResource
    private let makeWatcher: @Sendable (WatcherConfiguration) -> Watcher<Object>
    private let watcherConfiguration: WatcherConfiguration
    private let handlers = Mutex<[InformerEventHandler<Object>]>([])
    /// Handlers of undecodable objects: this informer's own, and its factory's.
    let decodeFailureHandlers: [DecodeFailureHandlers]
    /// `concord_informer_decode_errors_total{resource}`, when metrics are recorded.
    let decodeErrors: MetricCounter?
    /// The problem last reported per key, so each is reported once (not on every relist).
    let reportedProblems = Mutex<[ObjectKey: String]>([:])
    private let gate = SyncGate()
    /// How often every cached object is re-delivered to the handlers (nil: never); at least 1 s.
    public let resyncPeriod: Duration?
    private let clock: RuntimeClock
    /// Applied to every object before it is cached or handed to a handler.
    private let transform: (@Sendable (Object) -> Object)?
    let logger: Logger

    /// Creates an informer over a resource, optionally restricted to a namespace and selectors.
    /// `clock` drives watch backoff and resync (tests inject a `ManualClock`).
    public convenience init(
        _ client: ObjectClient<Object>, namespace: String? = nil, options: ListOptions = ListOptions(),
        resyncPeriod: Duration? = nil, clock: some Clock<Duration> = ContinuousClock(),
        watcher: WatcherConfiguration = WatcherConfiguration(), metrics: RuntimeMetrics? = nil, logger: Logger = Logger(label: "concord.informer")
    ) {
        self.init(
            client, namespace: namespace, options: options, resyncPeriod: resyncPeriod, runtimeClock: RuntimeClock(clock), watcher: watcher,
            metrics: metrics, shared: nil, logger: logger)
    }

    /// Creates an informer on an already wrapped clock (one shared by several runtime pieces);
    /// `transform`, when given, reshapes every object before it is cached or handed to a handler.
    public convenience init(
        _ client: ObjectClient<Object>, namespace: String?, options: ListOptions, resyncPeriod: Duration?,
        runtimeClock rc: RuntimeClock, watcher: WatcherConfiguration, metrics: RuntimeMetrics?, logger: Logger,
        transform: (@Sendable (Object) -> Object)? = nil
    ) {
        self.init(
            client, namespace: namespace, options: options, resyncPeriod: resyncPeriod, runtimeClock: rc, watcher: watcher,
            metrics: metrics, shared: nil, logger: logger, transform: transform)
    }

    /// Creates an informer on an already wrapped clock with the shared informer factory's decode-failure handlers.
    init(
        _ client: ObjectClient<Object>, namespace: String?, options: ListOptions, resyncPeriod: Duration?,
        runtimeClock rc: RuntimeClock, watcher: WatcherConfiguration, metrics: RuntimeMetrics?, shared: DecodeFailureHandlers?, logger: Logger,
        transform: (@Sendable (Object) -> Object)? = nil
    ) {
        var wc = watcher
        wc.clock = rc
        wc.logger = logger
        self.watcherConfiguration = wc
        self.cache = InformerCache(metadata: client.codec.metadata)
        self.name = client.scope.resource.description
        self.resource = client.scope.resource
        self.makeWatcher = { client.watcher(namespace: namespace, options: options, configuration: $0) }
        self.decodeFailureHandlers = [DecodeFailureHandlers()] + (shared.map { [$0] } ?? [])
        self.decodeErrors = metrics?.informerDecodeErrors(resource: client.scope.resource.groupResource)
        self.resyncPeriod = resyncPeriod.flatMap { $0 > .zero ? max($0, .seconds(1)) : nil }
        self.clock = rc
        self.transform = transform
        self.logger = logger
    }

    /// Registers a handler. Register before `run()`: a handler added later misses the objects already cached.
    public func addEventHandler(_ handler: InformerEventHandler<Object>) {
        handlers.withLock { $0.append(handler) }
    }

    /// True once the first full list is in the cache.
    public var hasSynced: Bool { gate.isOpen }

    /// False from a failed list, watch or watch stream until the next list succeeds or watch opens:
    /// the server was away, so the cache may lack what changed meanwhile (events a resumed watch
    /// replays, or a relist brings, are still to come). True before the first failure.
    public var isConnected: Bool { connected.load(ordering: .acquiring) }
    private let connected = Atomic<Bool>(true)

    /// Returns once synced; throws `CancellationError` if cancelled first.
    public func waitForSync() async throws { try await gate.wait() }

    /// Lists and watches until cancelled or gracefully shut down.
    public func run() async throws {
        try await cancelWhenGracefulShutdown { [self] in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.watchLoop() }
                if let period = self.resyncPeriod {
                    group.addTask { try await self.resyncLoop(period) }
                }
                try await group.next()
                group.cancelAll()
            }
        }
    }

    private func watchLoop() async throws {
        var config = watcherConfiguration
        config.undecodable = { [self] bad in await self.skipped(bad) }
        config.connected = { [self] value in connected.store(value, ordering: .releasing) }
        for try await event in makeWatcher(config) {
            await apply(event)
        }
    }

    private func resyncLoop(_ period: Duration) async throws {
        while !Task.isCancelled {
            try await clock.sleep(for: period)
            guard hasSynced else { continue }
            let hs = handlers.withLock { $0 }
            for o in cache.list() { for h in hs { await h.onUpdate(o, o) } }
        }
    }

    /// Calls every handler's `onDelete` (an object left the cache).
    func deliverDelete(_ o: Object) async {
        for h in handlers.withLock({ $0 }) { await h.onDelete(o) }
    }

    /// Applies one watcher event to the cache and the handlers.
    func apply(_ event: WatcherEvent<Object>) async {
        let hs = handlers.withLock { $0 }
        switch transformed(event) {
        case .relisted(let items, let rv):
            let delta = cache.replace(with: items)
            await decoded(items)
            let initial = !gate.isOpen
            logger.debug("Listed objects", metadata: ["informer": "\(name)", "count": "\(items.count)", "resourceVersion": "\(rv)", "vanished": "\(delta.deleted.count)"])
            for h in hs {
                for o in delta.added {
                    if initial, let first = h.onInitialAdd { await first(o) } else { await h.onAdd(o) }
                }
                for (old, new) in delta.updated { await h.onUpdate(old, new) }
                for o in delta.deleted { await h.onDelete(o) }
            }
            if !gate.isOpen {
                gate.open()
                logger.info("Informer synced", metadata: ["informer": "\(name)", "count": "\(items.count)"])
            }
        case .added(let o), .modified(let o):
            await decoded([o])
            if let old = cache.upsert(o) {
                for h in hs { await h.onUpdate(old, o) }
            } else {
                for h in hs { await h.onAdd(o) }
            }
        case .deleted(let o):
            await decoded([o], deleted: true)
            cache.remove(cache.key(of: o))
            for h in hs { await h.onDelete(o) }
        case .bookmark:
            break
        }
    }

    /// The event with its objects passed through the transform, if there is one.
    private func transformed(_ event: WatcherEvent<Object>) -> WatcherEvent<Object> {
        guard let transform else { return event }
        switch event {
        case .relisted(let items, let rv): return .relisted(items: items.map(transform), resourceVersion: rv)
        case .added(let o): return .added(transform(o))
        case .modified(let o): return .modified(transform(o))
        case .deleted(let o): return .deleted(transform(o))
        case .bookmark: return event
        }
    }
}
