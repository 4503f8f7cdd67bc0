import Foundation
import KubeClient
import KubernetesAPI
import Logging
import ServiceLifecycle
import Synchronization

/// Runs a `Reconciler` for the keys its watches enqueue, with controller-runtime's semantics:
/// N workers (default 1) pull keys from a `WorkQueue`, so one key never runs on two workers;
/// the initial list and resyncs are queued at low priority behind real changes;
/// results are handled in one place (`handle(_:)`):
/// - error → `addRateLimited` (per-key backoff 5 ms → 1000 s), unless it is a `TerminalError`;
/// - `.requeue(after:)` → `forget` + `addAfter`;
/// - `.done` → `forget`.
///
/// Workers start once every watched informer has synced. On graceful shutdown the queue stops
/// accepting keys, workers finish what is queued and in flight, and `run()` returns.
public final class Controller: Service, Sendable {
    /// The controller's name, used in logs (and later metrics).
    public let name: String
    /// The queue of keys to reconcile.
    public let queue: WorkQueue<ObjectKey>
    private let reconciler: any Reconciler
    private let workers: Int
    private let cacheSyncTimeout: Duration
    private let clock: RuntimeClock
    private let observer: any ControllerObserver
    private let logger: Logger
    private let sources = Mutex<[any SyncingService]>([])

    /// Creates a controller.
    /// - Parameters:
    ///   - workers: concurrent reconciles (`MaxConcurrentReconciles`), default 1.
    ///   - cacheSyncTimeout: how long to wait for watched informers to sync before failing (2 min).
    ///   - clock: drives requeue delays and backoff (tests inject a `ManualClock`).
    public convenience init(
        name: String, reconciler: any Reconciler, workers: Int = 1, cacheSyncTimeout: Duration = .seconds(120),
        clock: some Clock<Duration> = ContinuousClock(),
        rateLimiter: any RateLimiter<ObjectKey> = ItemExponentialRateLimiter<ObjectKey>(),
        observer: any ControllerObserver = NoControllerObserver(),
        logger: Logger = Logger(label: "concord.controller")
    ) {
        self.init(
            name: name, reconciler: reconciler, workers: workers, cacheSyncTimeout: cacheSyncTimeout, runtimeClock: RuntimeClock(clock),
            rateLimiter: rateLimiter, observer: observer, logger: logger)
    }

    /// Creates a controller on an already wrapped clock (one shared by several runtime pieces).
    public init(
        name: String, reconciler: any Reconciler, workers: Int = 1, cacheSyncTimeout: Duration = .seconds(120),
        runtimeClock rc: RuntimeClock,
        rateLimiter: any RateLimiter<ObjectKey> = ItemExponentialRateLimiter<ObjectKey>(),
        observer: any ControllerObserver = NoControllerObserver(),
        logger: Logger = Logger(label: "concord.controller")
    ) {
        self.name = name
        self.reconciler = reconciler
        self.workers = max(1, workers)
        self.cacheSyncTimeout = cacheSyncTimeout
        self.clock = rc
        self.queue = WorkQueue(runtimeClock: rc, rateLimiter: rateLimiter, observer: observer.controllerCreated(name, workers: max(1, workers)))
        self.observer = observer
        var l = logger
        l[metadataKey: "controller"] = "\(name)"
        self.logger = l
    }

    /// Watches the primary kind: every add, update and delete enqueues the object's own key; an
    /// update of its status alone (often this controller's own write) only at low priority.
    public func watch<O: Sendable>(_ informer: Informer<O>) {
        let cache = informer.cache
        let queue = self.queue
        let keys: @Sendable (O) -> [ObjectKey] = { [cache] o in [cache.key(of: o)] }
        informer.addEventHandler(.prioritized(keys, metadata: cache.metadata, statusWritesLow: true, to: { await queue.add($0, priority: $1) }))
        sources.withLock { $0.append(informer) }
    }

    /// Watches a secondary kind: each event enqueues the keys `map` returns (e.g. an owner's key).
    /// With `changed` (controller-runtime's update predicate), an update enqueues only when
    /// `changed(old, new)` is true: a change this controller does not act on wakes nothing.
    /// With `priority`, the keys are enqueued at most at that priority (`QueuePriority.low` for a
    /// change that wakes every object, so their own changes are handled first).
    public func watch<O: Sendable>(
        _ informer: Informer<O>, map: @escaping @Sendable (O) -> [ObjectKey], changed: (@Sendable (_ old: O, _ new: O) -> Bool)? = nil,
        priority ceiling: Int? = nil
    ) {
        let queue = self.queue
        var handler = InformerEventHandler<O>.prioritized(map, metadata: informer.cache.metadata, to: { key, priority in
            await queue.add(key, priority: ceiling.map { min($0, priority) } ?? priority)
        })
        if let changed {
            let update = handler.onUpdate
            handler.onUpdate = { old, new in if changed(old, new) { await update(old, new) } }
        }
        informer.addEventHandler(handler)
        sources.withLock { $0.append(informer) }
    }

    /// The informers (and other sources) this controller waits for; the `Manager` runs them.
    public var watchedSources: [any SyncingService] { sources.withLock { $0 } }

    /// Adds a source that must sync before workers start, without registering handlers.
    public func waitsFor(_ source: any SyncingService) {
        sources.withLock { $0.append(source) }
    }

    /// Waits for the sources to sync, then runs the workers until shutdown.
    public func run() async throws {
        logger.info("Starting Controller")
        try await waitForSources()
        logger.info("Starting workers", metadata: ["worker count": "\(workers)"])
        let queue = self.queue
        await withTaskGroup(of: Void.self) { helpers in
            helpers.addTask { await queue.run() }
            helpers.addTask {
                // Graceful shutdown stops intake; the workers finish what is in flight and let queued keys go.
                try? await gracefulShutdown()
                await queue.shutDown()
            }
            await withTaskGroup(of: Void.self) { pool in
                for _ in 0..<workers { pool.addTask { await self.workerLoop() } }
            }
            // Workers return once the queue is shut down and empty (or on cancellation).
            await queue.shutDown()
            helpers.cancelAll()
        }
        logger.info("All workers finished")
    }

    private func waitForSources() async throws {
        let sources = self.sources.withLock { $0 }
        guard !sources.isEmpty else { return }
        let timeout = cacheSyncTimeout
        var synced = true
        do {
            try await withTimeout(timeout, "waiting for caches to sync", clock: clock) {
                for s in sources { try await s.waitForSync() }
            }
        } catch is TimeoutError {
            synced = false
        }
        if !synced {
            let pending = sources.filter { !$0.hasSynced }.map(\.name).joined(separator: ", ")
            logger.error("Could not wait for Cache to sync", metadata: ["pending": "\(pending)"])
            throw ControllerError("controller \(name): timed out after \(timeout) waiting for caches to sync (\(pending))")
        }
    }

    private func workerLoop() async {
        while let key = await queue.get() {
            // Once shutdown began, keys still queued are let go unreconciled: in-flight reconciles
            // finish, and the next start lists everything again (reconciles are level-based), so a
            // deep queue cannot hold the process up.
            if await queue.isShuttingDown {
                await queue.done(key)
                continue
            }
            observer.workerBusy(controller: name, busy: true)
            await handle(key)
            await queue.done(key)
            observer.workerBusy(controller: name, busy: false)
        }
    }

    /// Reconciles one key and applies the result policy. `internal` for tests.
    func handle(_ key: ObjectKey) async {
        let start = clock.now
        var log = logger
        log[metadataKey: "name"] = "\(key.name)"
        if let ns = key.namespace { log[metadataKey: "namespace"] = "\(ns)" }
        // controller-runtime's keys: the object under its kind ({"name", "namespace"}) and a reconcileID.
        if case .string(let kind)? = logger[metadataKey: "controllerKind"] {
            var object: Logger.Metadata = ["name": "\(key.name)"]
            if let ns = key.namespace { object["namespace"] = "\(ns)" }
            log[metadataKey: kind] = .dictionary(object)
        }
        log[metadataKey: "reconcileID"] = "\(UUID().uuidString.lowercased())"
        let outcome: ReconcileOutcome
        do {
            switch try await reconciler.reconcile(key) {
            case .done:
                await queue.forget(key)
                outcome = .success
            case .requeue(let after):
                await queue.forget(key)
                // A timed recheck is a resync: it must not starve keys still waiting for their first turn.
                await queue.addAfter(key, after, priority: QueuePriority.low)
                outcome = .requeueAfter
            }
        } catch let error as TerminalError {
            log.error("Reconciler error", metadata: ["error": "\(error)", "terminal": "true"])
            outcome = .terminalError
        } catch {
            if error is CancellationError && Task.isCancelled {
                outcome = .error
            } else {
                log.error("Reconciler error", metadata: ["error": "\(error)"])
                await queue.addRateLimited(key)
                outcome = .error
            }
        }
        observer.reconciled(controller: name, key: key, outcome: outcome, duration: clock.now - start)
    }
}
