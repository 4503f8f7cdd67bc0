import ControllerRuntime
import Synchronization

/// Per rule, how many passes in a row had a write fail: a write that keeps failing (an immutable
/// object, a quota) is retried after `replicationRetry`, then twice as long each time, up to
/// ``cap``, instead of every `replicationRetry` for ever.
final class ReplicationRetries: Sendable {
    /// The longest wait between retries of failing writes.
    static let cap: Duration = .seconds(300)
    private let failures = Mutex<[ObjectKey: Int]>([:])

    /// The wait before the next pass of `rule` after one whose writes failed, starting at `base`.
    func afterFailure(_ rule: ObjectKey, base: Duration) -> Duration {
        let count = failures.withLock { all in
            all[rule, default: 0] += 1
            return all[rule] ?? 1
        }
        var wait = base
        for _ in 1..<min(count, 16) where wait < Self.cap { wait *= 2 }
        return min(wait, Self.cap)
    }

    /// A pass of `rule` without failed writes (or its deletion) starts the count again.
    func reset(_ rule: ObjectKey) { _ = failures.withLock { $0.removeValue(forKey: rule) } }
}
