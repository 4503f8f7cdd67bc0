import DequeModule
import Foundation
import KubeClient

/// A work queue with client-go's guarantees:
/// - duplicates collapse: a key added while already queued is queued once;
/// - a key is never handed to two workers at once (`processing`);
/// - a key added while being processed is queued again when `done` is called;
/// - `addAfter` delays a key (the earliest ready time wins); `addRateLimited` delays it by its
///   per-key exponential backoff (5 ms → 1000 s) until `forget`;
/// - `shutDown` stops accepting keys while workers drain the queue; `shutDownWithDrain` also
///   waits for in-flight keys to be `done`.
///
/// Delayed keys become ready only while `run()` is running (the controller runs it).
public actor WorkQueue<Key: Hashable & Sendable> {
    private var queue: Deque<Key> = []
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var delayed: [Key: Duration] = [:]
    private var shuttingDown = false
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []
    private var limiter: any RateLimiter<Key>
    private let clock: RuntimeClock
    private let observer: any WorkQueueObserver
    private var addedAt: [Key: Duration] = [:]
    private var startedAt: [Key: Duration] = [:]
    private nonisolated let waiters = WorkerWaiters<Key>()
    private nonisolated let wake = WakeSignal()

    /// Creates a queue on `clock` with a rate limiter (default: per-key 5 ms → 1000 s).
    /// `observer` receives the queue's metrics.
    public init(
        clock: some Clock<Duration> = ContinuousClock(), rateLimiter: any RateLimiter<Key> = ItemExponentialRateLimiter<Key>(),
        observer: any WorkQueueObserver = NoWorkQueueObserver()
    ) {
        self.clock = RuntimeClock(clock)
        self.limiter = rateLimiter
        self.observer = observer
    }

    /// Creates a queue on an already-erased clock.
    public init(runtimeClock: RuntimeClock, rateLimiter: any RateLimiter<Key> = ItemExponentialRateLimiter<Key>(), observer: any WorkQueueObserver = NoWorkQueueObserver()) {
        self.clock = runtimeClock
        self.limiter = rateLimiter
        self.observer = observer
    }

    /// Queues a key unless it is already queued or shutting down.
    public func add(_ key: Key) {
        guard !shuttingDown, !dirty.contains(key) else { return }
        observer.added()
        if addedAt[key] == nil { addedAt[key] = clock.now }
        dirty.insert(key)
        if processing.contains(key) { return }
        if let w = waiters.popFirst() {
            w.resume(returning: handOut(key))
        } else {
            queue.append(key)
            observer.depthChanged(queue.count)
        }
    }

    /// Moves a key from dirty to processing, recording how long it waited.
    private func handOut(_ key: Key) -> Key {
        dirty.remove(key)
        processing.insert(key)
        let now = clock.now
        if let added = addedAt.removeValue(forKey: key) { observer.waited(now - added) }
        startedAt[key] = now
        return key
    }

    /// Queues a key after `delay`; a delay ≤ 0 is a plain `add`. The earliest ready time wins.
    public func addAfter(_ key: Key, _ delay: Duration) {
        guard !shuttingDown else { return }
        guard delay > .zero else { return add(key) }
        let ready = clock.now + delay
        if let existing = delayed[key], existing <= ready { return }
        delayed[key] = ready
        wake.signal()
    }

    /// Queues a key after its backoff delay and records one more failure.
    public func addRateLimited(_ key: Key) {
        observer.retried()
        addAfter(key, limiter.when(key, now: clock.now))
    }

    /// Forgets the key's failures (its next backoff starts at the base delay again).
    public func forget(_ key: Key) { limiter.forget(key) }

    /// The failures recorded for a key.
    public func numRequeues(_ key: Key) -> Int { limiter.numRequeues(key) }

    /// Takes the next key, waiting for one; nil once shut down and empty. Every key returned must
    /// be passed to `done` afterwards. A cancelled caller gets nil.
    public func get() async -> Key? {
        if let key = queue.popFirst() {
            observer.depthChanged(queue.count)
            return handOut(key)
        }
        if shuttingDown { return nil }
        let id = waiters.makeID()
        let waiters = self.waiters
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Key?, Never>) in
                if !waiters.enqueue(id, c) { c.resume(returning: nil) }
            }
        } onCancel: {
            waiters.cancel(id)?.resume(returning: nil)
        }
    }

    /// Marks a key finished; if it was added meanwhile, queues it again.
    public func done(_ key: Key) {
        processing.remove(key)
        if let started = startedAt.removeValue(forKey: key) { observer.worked(clock.now - started) }
        if dirty.contains(key) {
            if let w = waiters.popFirst() {
                w.resume(returning: handOut(key))
            } else {
                queue.append(key)
                observer.depthChanged(queue.count)
            }
        }
        if shuttingDown && processing.isEmpty {
            let ws = drainWaiters
            drainWaiters = []
            ws.forEach { $0.resume() }
        }
    }

    /// Stops accepting keys; `get` keeps returning queued keys, then nil. Delayed keys are dropped.
    public func shutDown() {
        shuttingDown = true
        delayed.removeAll()
        wake.signal()
        if queue.isEmpty {
            for w in waiters.removeAll() { w.resume(returning: nil) }
        }
    }

    /// `shutDown`, then waits until every in-flight key is `done`.
    public func shutDownWithDrain() async {
        shutDown()
        if processing.isEmpty { return }
        await withCheckedContinuation { drainWaiters.append($0) }
    }

    /// Keys ready to be handed out.
    public var count: Int { queue.count }
    /// Keys being processed.
    public var processingCount: Int { processing.count }
    /// Keys waiting for their delay.
    public var delayedCount: Int { delayed.count }
    /// True after `shutDown`.
    public var isShuttingDown: Bool { shuttingDown }
    /// The number of workers blocked in `get`.
    public nonisolated var waitingWorkers: Int { waiters.count }

    /// Moves delayed keys whose time has come into the queue (earliest first). Returns until the
    /// queue shuts down; run it for the queue's lifetime (cancellation also ends it).
    public func run() async {
        while !shuttingDown && !Task.isCancelled {
            promoteDue()
            if let next = delayed.values.min() {
                let clock = self.clock
                let wake = self.wake
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { try? await clock.sleep(until: next) }
                    group.addTask { await wake.wait() }
                    await group.next()
                    group.cancelAll()
                }
            } else {
                await wake.wait()
            }
        }
    }

    private func promoteDue() {
        let now = clock.now
        let due = delayed.filter { $0.value <= now }.sorted { $0.value < $1.value }
        for (key, _) in due {
            delayed.removeValue(forKey: key)
            add(key)
        }
    }
}
