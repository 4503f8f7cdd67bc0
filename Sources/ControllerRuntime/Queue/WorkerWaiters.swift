import DequeModule
import Synchronization

/// Workers blocked in `WorkQueue.get()`, first come first served. Lives outside the actor's
/// isolation so a cancelled worker can withdraw synchronously from its cancellation handler.
final class WorkerWaiters<Key: Sendable>: Sendable {
    private struct State {
        var nextID = 0
        var order: Deque<Int> = []
        var waiters: [Int: CheckedContinuation<Key?, Never>] = [:]
        var cancelledEarly: Set<Int> = []
    }
    private let state = Mutex(State())

    /// A fresh waiter id.
    func makeID() -> Int { state.withLock { s in s.nextID += 1; return s.nextID } }

    /// Registers a waiter; returns false (and does not register) if it was already cancelled.
    func enqueue(_ id: Int, _ c: CheckedContinuation<Key?, Never>) -> Bool {
        state.withLock { s in
            if s.cancelledEarly.remove(id) != nil { return false }
            s.order.append(id)
            s.waiters[id] = c
            return true
        }
    }

    /// Removes the oldest waiter, if any, so the caller can hand it a key.
    func popFirst() -> CheckedContinuation<Key?, Never>? {
        state.withLock { s in
            while let id = s.order.popFirst() {
                if let c = s.waiters.removeValue(forKey: id) { return c }
            }
            return nil
        }
    }

    /// Removes every waiter (at shutdown).
    func removeAll() -> [CheckedContinuation<Key?, Never>] {
        state.withLock { s in
            let all = s.order.compactMap { s.waiters[$0] }
            s.order.removeAll()
            s.waiters.removeAll()
            return all
        }
    }

    /// Withdraws a cancelled waiter; returns its continuation if it was still waiting.
    func cancel(_ id: Int) -> CheckedContinuation<Key?, Never>? {
        state.withLock { s in
            if let c = s.waiters.removeValue(forKey: id) { return c }
            s.cancelledEarly.insert(id)
            return nil
        }
    }

    /// The number of blocked workers.
    var count: Int { state.withLock { $0.waiters.count } }
}
