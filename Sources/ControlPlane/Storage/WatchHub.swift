import DequeModule
import KubernetesAPI
import Synchronization

/// The in-memory fan-out of committed events to watchers.
///
/// The writer publishes every committed event here, in revision order, after commit. Each watcher
/// has a bounded buffer filled only with events of its resource and namespace; a watcher whose
/// buffer is full is failed with `.expired` and its buffer dropped, so a slow consumer never blocks
/// writers or other watchers. One lock guards all state; nothing awaits while holding it.
final class WatchHub: Sendable {
    /// What a consumer gets next from its live buffer.
    enum Step {
        case events([StorageEvent])
        case failure(StorageError)
        case end
        case wait
    }

    /// One watcher's live state. A class so that buffers are mutated in place; only touched under the hub lock.
    private final class Slot {
        let resource: String
        let namespace: String?
        let after: Int64
        var buffer: Deque<StorageEvent> = []
        var failure: StorageError?
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?

        init(resource: String, namespace: String?, after: Int64) {
            self.resource = resource
            self.namespace = namespace
            self.after = after
        }

        var isIdle: Bool { buffer.isEmpty && isActive }
        var isActive: Bool { failure == nil && !finished }
    }

    private struct State {
        var published: Int64
        var compacted: Int64
        var slots: [UInt64: Slot] = [:]
        var byResource: [String: Set<UInt64>] = [:]
        var nextID: UInt64 = 0
        var closed = false
        var terminated = 0

        mutating func remove(_ id: UInt64) -> Slot? {
            guard let slot = slots.removeValue(forKey: id) else { return nil }
            byResource[slot.resource]?.remove(id)
            if byResource[slot.resource]?.isEmpty == true { byResource[slot.resource] = nil }
            return slot
        }
    }

    private let capacity: Int
    private let state: Mutex<State>

    /// Creates a hub whose newest published revision is `published` and whose history is compacted through `compacted`.
    init(published: Int64, compacted: Int64, capacity: Int) {
        self.capacity = max(capacity, 1)
        self.state = Mutex(State(published: published, compacted: compacted))
    }

    /// The newest published (committed) revision.
    var publishedRevision: Int64 { state.withLock { $0.published } }

    /// The number of registered watchers.
    var watcherCount: Int { state.withLock { $0.slots.count } }

    /// How many watchers have been ended with `.expired` because their buffer overflowed.
    var terminatedCount: Int { state.withLock { $0.terminated } }

    /// Registers a watcher for events after `after`. Returns its id and the published revision at
    /// registration: events up to that revision must be replayed from history, later ones arrive live.
    func register(resource: String, namespace: String?, after: Int64) throws -> (id: UInt64, replayThrough: Int64) {
        try state.withLock { state in
            if state.closed { throw StorageError(.internalError, message: "the object store is closed") }
            if after < state.compacted { throw StorageError.tooOld(after, compacted: state.compacted) }
            let id = state.nextID
            state.nextID += 1
            state.slots[id] = Slot(resource: resource, namespace: namespace, after: after)
            state.byResource[resource, default: []].insert(id)
            return (id, state.published)
        }
    }

    /// Delivers committed events (in revision order) to matching watchers.
    func publish(_ events: [StorageEvent]) {
        guard !events.isEmpty else { return }
        let capacity = self.capacity
        let wake: [CheckedContinuation<Void, Never>] = state.withLock { state in
            var wake: [CheckedContinuation<Void, Never>] = []
            for event in events {
                assert(event.revision == state.published + 1, "events must be published gap-free and in order")
                state.published = event.revision
                guard let ids = state.byResource[event.key.resource] else { continue }
                for id in ids {
                    guard let slot = state.slots[id], !slot.finished, slot.failure == nil,
                        event.revision > slot.after,
                        slot.namespace == nil || slot.namespace == event.key.namespace
                    else { continue }
                    if slot.buffer.count >= capacity {
                        state.terminated += 1
                        slot.buffer.removeAll()
                        slot.failure = StorageError(
                            .expired(oldest: state.compacted),
                            message: "watch of \(slot.resource) fell behind: more than \(capacity) events not consumed")
                    } else {
                        slot.buffer.append(event)
                    }
                    if let waiter = slot.waiter {
                        slot.waiter = nil
                        wake.append(waiter)
                    }
                }
            }
            return wake
        }
        for waiter in wake { waiter.resume() }
    }

    /// True while watcher `id` is registered, not finished and not failed (its replay may go on).
    func isLive(_ id: UInt64) -> Bool {
        state.withLock { state in state.slots[id]?.isActive ?? false }
    }

    /// Records that history is compacted through `revision`.
    func setCompacted(_ revision: Int64) {
        state.withLock { $0.compacted = max($0.compacted, revision) }
    }

    /// Every buffered live event of watcher `id` (at least one), waiting for one if necessary; nil once it ended.
    func nextBatch(_ id: UInt64) async throws -> [StorageEvent]? {
        while true {
            if Task.isCancelled {
                remove(id)
                return nil
            }
            switch step(id) {
            case .events(let events): return events
            case .failure(let error): throw error
            case .end: return nil
            case .wait:
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let parked = state.withLock { state -> Bool in
                            guard let slot = state.slots[id], slot.isIdle else { return false }
                            slot.waiter = continuation
                            return true
                        }
                        if !parked { continuation.resume() }
                    }
                } onCancel: {
                    self.finish(id)
                }
            }
        }
    }

    private func step(_ id: UInt64) -> Step {
        state.withLock { state in
            guard let slot = state.slots[id] else { return .end }
            if !slot.buffer.isEmpty {
                defer { slot.buffer.removeAll(keepingCapacity: false) }
                return .events(Array(slot.buffer))
            }
            if let failure = slot.failure {
                _ = state.remove(id)
                return .failure(failure)
            }
            if slot.finished {
                _ = state.remove(id)
                return .end
            }
            return .wait
        }
    }

    /// Removes watcher `id`, dropping its buffer; returns the failure that ended it, if one did.
    func discard(_ id: UInt64) -> StorageError? {
        let (failure, waiter) = state.withLock { state -> (StorageError?, CheckedContinuation<Void, Never>?) in
            guard let slot = state.remove(id) else { return (nil, nil) }
            defer { slot.waiter = nil }
            return (slot.failure, slot.waiter)
        }
        waiter?.resume()
        return failure
    }

    /// Ends watcher `id` normally: it returns what it has buffered, then nil.
    func finish(_ id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let slot = state.slots[id] else { return nil }
            slot.finished = true
            defer { slot.waiter = nil }
            return slot.waiter
        }
        waiter?.resume()
    }

    /// Forgets watcher `id` (its consumer is gone).
    func remove(_ id: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let slot = state.remove(id) else { return nil }
            defer { slot.waiter = nil }
            return slot.waiter
        }
        waiter?.resume()
    }

    /// Ends every watcher and refuses new ones.
    func close() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.closed = true
            var waiters: [CheckedContinuation<Void, Never>] = []
            for slot in state.slots.values {
                slot.finished = true
                if let waiter = slot.waiter { waiters.append(waiter) }
                slot.waiter = nil
            }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
