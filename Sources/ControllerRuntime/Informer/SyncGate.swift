import Synchronization

/// A latch that opens once (an informer's first full list). Waiters resume when it opens;
/// a cancelled waiter throws `CancellationError`.
public final class SyncGate: Sendable {
    private struct State {
        var open = false
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
        var cancelledEarly: Set<Int> = []
    }
    private let state = Mutex(State())

    /// Creates a closed gate.
    public init() {}

    /// True once opened.
    public var isOpen: Bool { state.withLock { $0.open } }

    /// Opens the gate and resumes every waiter.
    public func open() {
        let ws: [CheckedContinuation<Void, any Error>] = state.withLock { s in
            s.open = true
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        ws.forEach { $0.resume() }
    }

    /// Returns once the gate is open; throws `CancellationError` if the task is cancelled first.
    public func wait() async throws {
        let id = state.withLock { s in s.nextID += 1; return s.nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let result: Result<Void, any Error>? = state.withLock { s in
                    if s.open { return .success(()) }
                    if s.cancelledEarly.remove(id) != nil { return .failure(CancellationError()) }
                    s.waiters[id] = c
                    return nil
                }
                if let result { c.resume(with: result) }
            }
        } onCancel: {
            let c: CheckedContinuation<Void, any Error>? = state.withLock { s in
                if let c = s.waiters.removeValue(forKey: id) { return c }
                s.cancelledEarly.insert(id)
                return nil
            }
            c?.resume(throwing: CancellationError())
        }
    }
}
