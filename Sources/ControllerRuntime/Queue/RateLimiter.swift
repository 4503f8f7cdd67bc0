import Foundation

/// Decides how long a failed key waits before it is retried.
public protocol RateLimiter<Key>: Sendable {
    /// The key type.
    associatedtype Key: Hashable & Sendable
    /// The delay before the next retry of `key`; records one more failure.
    mutating func when(_ key: Key) -> Duration
    /// Forgets the failures of `key` (after a success).
    mutating func forget(_ key: Key)
    /// The number of failures recorded for `key`.
    func numRequeues(_ key: Key) -> Int
}

/// Per-key exponential backoff: `base · 2^failures`, capped (controller-runtime's default:
/// 5 ms → 1000 s, reached after about 18 failures).
public struct ItemExponentialRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    /// The first delay.
    public var base: Duration
    /// The largest delay.
    public var cap: Duration
    private var failures: [Key: Int] = [:]

    /// Creates a limiter.
    public init(base: Duration = .milliseconds(5), cap: Duration = .seconds(1000)) {
        self.base = base
        self.cap = cap
    }

    /// `base · 2^failures`, capped; records the failure.
    public mutating func when(_ key: Key) -> Duration {
        let n = failures[key, default: 0]
        failures[key] = n + 1
        if n >= 62 { return cap }
        let factor = pow(2.0, Double(n))
        let seconds = Double(base.components.seconds) + Double(base.components.attoseconds) / 1e18
        let delay = seconds * factor
        let capSeconds = Double(cap.components.seconds) + Double(cap.components.attoseconds) / 1e18
        return delay >= capSeconds ? cap : base * factor
    }

    /// Resets the key's failures.
    public mutating func forget(_ key: Key) { failures.removeValue(forKey: key) }

    /// The key's failures.
    public func numRequeues(_ key: Key) -> Int { failures[key, default: 0] }
}
