import Foundation

/// Decides how long a failed key waits before it is retried.
public protocol RateLimiter<Key>: Sendable {
    /// The key type.
    associatedtype Key: Hashable & Sendable
    /// The delay before the next retry of `key`; records one more failure. `now` is the queue's
    /// clock reading, for limiters that depend on time (token buckets).
    mutating func when(_ key: Key, now: Duration) -> Duration
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
    public mutating func when(_ key: Key, now: Duration = .zero) -> Duration {
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

/// An overall token bucket shared by all keys (client-go's `BucketRateLimiter`: 10 qps, burst
/// 100 in Karmada's defaults): retries beyond the burst wait for a token.
public struct TokenBucketRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    /// Tokens added per second.
    public var qps: Double
    /// The bucket's size.
    public var burst: Int
    private var tokens: Double
    private var last: Duration?

    /// Creates a full bucket.
    public init(qps: Double = 10, burst: Int = 100) {
        self.qps = qps
        self.burst = burst
        self.tokens = Double(burst)
    }

    /// Takes a token; the delay is how long until that token exists.
    public mutating func when(_ key: Key, now: Duration) -> Duration {
        if let last, now > last {
            let elapsed = Double(now.components.seconds) - Double(last.components.seconds)
                + (Double(now.components.attoseconds) - Double(last.components.attoseconds)) / 1e18
            tokens = min(Double(burst), tokens + elapsed * qps)
        }
        last = max(last ?? now, now)
        tokens -= 1
        return tokens >= 0 ? .zero : .nanoseconds(Int64((-tokens / qps * 1e9).rounded(.up)))
    }

    /// Nothing to forget: the bucket is shared.
    public mutating func forget(_ key: Key) {}

    /// Always 0: the bucket does not count per key.
    public func numRequeues(_ key: Key) -> Int { 0 }
}

/// The largest delay of several limiters (client-go's `MaxOfRateLimiter`), e.g. per-key
/// exponential backoff combined with an overall token bucket.
public struct MaxOfRateLimiter<Key: Hashable & Sendable>: RateLimiter {
    private var limiters: [any RateLimiter<Key>]

    /// Combines limiters.
    public init(_ limiters: [any RateLimiter<Key>]) { self.limiters = limiters }

    /// The largest delay; every limiter records the failure.
    public mutating func when(_ key: Key, now: Duration) -> Duration {
        var worst = Duration.zero
        for i in limiters.indices { worst = max(worst, limiters[i].when(key, now: now)) }
        return worst
    }

    /// Forgets the key in every limiter.
    public mutating func forget(_ key: Key) {
        for i in limiters.indices { limiters[i].forget(key) }
    }

    /// The largest count any limiter records.
    public func numRequeues(_ key: Key) -> Int { limiters.map { $0.numRequeues(key) }.max() ?? 0 }
}
