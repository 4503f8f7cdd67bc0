import Synchronization

/// A one-slot wake-up signal between tasks: `signal()` wakes the current `wait()` (or the next
/// one, if nobody is waiting). Cancelling a waiter resumes it at once. Used where an actor
/// cannot be entered synchronously (task-cancellation handlers).
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
        var cancelled = false
    }
    private let state = Mutex(State())

    /// Wakes the waiter, or lets the next `wait()` return immediately.
    func signal() {
        let c: CheckedContinuation<Void, Never>? = state.withLock { s in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.pending = true
            return nil
        }
        c?.resume()
    }

    /// Returns after a `signal()` (possibly one sent before the call) or on cancellation.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.pending || s.cancelled {
                        s.pending = false
                        s.cancelled = false
                        return true
                    }
                    s.waiter = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let c: CheckedContinuation<Void, Never>? = state.withLock { s in
                if let w = s.waiter {
                    s.waiter = nil
                    return w
                }
                s.cancelled = true
                return nil
            }
            c?.resume()
        }
    }
}
