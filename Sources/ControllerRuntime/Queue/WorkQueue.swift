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
///   waits for in-flight keys to be `done`;
/// - keys carry a priority (controller-runtime's priority queue): the highest comes out first,
///   FIFO within a priority; adding a queued key again with a higher priority raises it, never
///   lowers it; delayed and rate-limited re-adds keep the priority the key was handed out with.
///
/// Delayed keys become ready only while `run()` is running (the controller runs it).
public actor WorkQueue<Key: Hashable & Sendable> {
    private var buckets: [Int: Deque<Key>] = [:]
    private var queuedPriority: [Key: Int] = [:]
    private var processingPriority: [Key: Int] = [:]
    private var requeuePriority: [Key: Int] = [:]
    private var dirty: Set<Key> = []
    private var processing: Set<Key> = []
    private var delayed: [Key: (ready: Duration, priority: Int)] = [:]
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

    /// Queues a key unless it is already queued or shutting down. A key already queued (or queued
    /// to run again after processing) keeps its place unless `priority` is higher: then it moves up.
    public func add(_ key: Key, priority: Int = QueuePriority.normal) {
        guard !shuttingDown else { return }
        if dirty.contains(key) {
            if let current = queuedPriority[key], priority > current {
                buckets[current]?.removeAll { $0 == key }
                if buckets[current]?.isEmpty == true { buckets[current] = nil }
                enqueue(key, priority)
            } else if processing.contains(key), priority > (requeuePriority[key] ?? .min) {
                requeuePriority[key] = priority
            }
            return
        }
        observer.added()
        if addedAt[key] == nil { addedAt[key] = clock.now }
        dirty.insert(key)
        if processing.contains(key) {
            requeuePriority[key] = priority
            return
        }
        if let w = waiters.popFirst() {
            w.resume(returning: handOut(key, priority: priority))
        } else {
            enqueue(key, priority)
        }
    }

    private func enqueue(_ key: Key, _ priority: Int) {
        buckets[priority, default: []].append(key)
        queuedPriority[key] = priority
        observer.depthChanged(queuedPriority.count)
    }

    /// Removes the first key of the highest priority.
    private func dequeue() -> (key: Key, priority: Int)? {
        guard let top = buckets.keys.max(), let key = buckets[top]?.popFirst() else { return nil }
        if buckets[top]?.isEmpty == true { buckets[top] = nil }
        queuedPriority[key] = nil
        observer.depthChanged(queuedPriority.count)
        return (key, top)
    }

    /// The priority a key being processed was handed out with (nil when it is not being processed).
    public func priority(of key: Key) -> Int? { processingPriority[key] }

    /// Moves a key from dirty to processing, recording how long it waited.
    private func handOut(_ key: Key, priority: Int) -> Key {
        dirty.remove(key)
        processing.insert(key)
        processingPriority[key] = priority
        let now = clock.now
        if let added = addedAt.removeValue(forKey: key) { observer.waited(now - added) }
        startedAt[key] = now
        return key
    }

    /// Queues a key after `delay`; a delay ≤ 0 is a plain `add`. The earliest ready time and the
    /// highest priority win. A nil `priority` keeps the one the key is being processed with.
    public func addAfter(_ key: Key, _ delay: Duration, priority: Int? = nil) {
        guard !shuttingDown else { return }
        let p = priority ?? processingPriority[key] ?? QueuePriority.normal
        guard delay > .zero else { return add(key, priority: p) }
        let ready = clock.now + delay
        if let existing = delayed[key] {
            delayed[key] = (min(existing.ready, ready), max(existing.priority, p))
            if existing.ready <= ready { return }
        } else {
            delayed[key] = (ready, p)
        }
        wake.signal()
    }

    /// Queues a key after its backoff delay and records one more failure; a nil `priority`
    /// keeps the one the key is being processed with.
    public func addRateLimited(_ key: Key, priority: Int? = nil) {
        observer.retried()
        addAfter(key, limiter.when(key, now: clock.now), priority: priority)
    }

    /// Forgets the key's failures (its next backoff starts at the base delay again).
    public func forget(_ key: Key) { limiter.forget(key) }

    /// The failures recorded for a key.
    public func numRequeues(_ key: Key) -> Int { limiter.numRequeues(key) }

    /// Takes the next key, waiting for one; nil once shut down and empty. Every key returned must
    /// be passed to `done` afterwards. A cancelled caller gets nil.
    public func get() async -> Key? {
        if let (key, priority) = dequeue() {
            return handOut(key, priority: priority)
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
        processingPriority[key] = nil
        let priority = requeuePriority.removeValue(forKey: key) ?? QueuePriority.normal
        if let started = startedAt.removeValue(forKey: key) { observer.worked(clock.now - started) }
        if dirty.contains(key) {
            if let w = waiters.popFirst() {
                w.resume(returning: handOut(key, priority: priority))
            } else {
                enqueue(key, priority)
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
        if queuedPriority.isEmpty {
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
    public var count: Int { queuedPriority.count }
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
            if let next = delayed.values.map(\.ready).min() {
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
        let due = delayed.filter { $0.value.ready <= now }.sorted { $0.value.ready < $1.value.ready }
        for (key, entry) in due {
            delayed.removeValue(forKey: key)
            add(key, priority: entry.priority)
        }
    }
}

/// Work queue priorities (controller-runtime's `handler.LowPriority` and the default).
public enum QueuePriority {
    /// Ordinary changes.
    public static let normal = 0
    /// Objects of an informer's initial list and resyncs (an update with an unchanged resourceVersion).
    public static let low = -100
}
