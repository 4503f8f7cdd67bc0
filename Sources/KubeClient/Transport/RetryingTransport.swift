import Foundation
import KubernetesAPI

/// Retries a request the server asked to be retried, as client-go's `rest.Request` does: a 429 or
/// 5xx answer carrying `Retry-After: <seconds>` is sent again after that many seconds, at most
/// `maxRetries` times (10); the last answer is returned as is. Answers without `Retry-After` are
/// never retried here (callers back off themselves). Streams (watches) pass through.
public struct RetryingTransport: KubeTransport {
    /// The transport each attempt goes through.
    public let base: any KubeTransport
    /// Retries per request.
    public let maxRetries: Int
    /// The longest pause honoured (a larger Retry-After is capped).
    public let maxDelay: Duration
    private let clock: RuntimeClock

    /// Wraps `base`; `clock` paces the pauses.
    public init(base: any KubeTransport, maxRetries: Int = 10, maxDelay: Duration = .seconds(60), clock: RuntimeClock = .continuous) {
        self.base = base
        self.maxRetries = max(0, maxRetries)
        self.maxDelay = maxDelay
        self.clock = clock
    }

    /// The pause a response asks for: nil unless it is a 429 or 5xx with a `Retry-After` in seconds.
    public static func retryDelay(_ response: KubeResponse) -> Duration? {
        guard response.statusCode == 429 || response.statusCode >= 500,
            let text = response.headers["retry-after"]?.trimmingCharacters(in: .whitespaces), let seconds = Int(text), seconds >= 0
        else { return nil }
        return .seconds(seconds)
    }

    /// Sends, retrying while the server says so.
    public func send(_ request: KubeRequest) async throws -> KubeResponse {
        var attempt = 0
        while true {
            let response = try await base.send(request)
            guard attempt < maxRetries, let delay = Self.retryDelay(response) else { return response }
            attempt += 1
            try await clock.sleep(for: min(delay, maxDelay))
        }
    }

    /// Streams pass through (a watcher backs off on its own).
    public func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse {
        try await base.stream(request)
    }
}

/// Client-side rate limiting (client-go's `QPS` / `Burst` token bucket): every request, watches
/// included, waits for a token; tokens refill at `qps` per second up to `burst`.
public final class RateLimitedTransport: KubeTransport {
    /// The transport requests go through once admitted.
    public let base: any KubeTransport
    private let bucket: TokenBucket

    /// Wraps `base` with a bucket of `burst` tokens refilled at `qps` per second.
    public init(base: any KubeTransport, qps: Double, burst: Int, clock: RuntimeClock = .continuous) {
        self.base = base
        self.bucket = TokenBucket(qps: qps, burst: burst, clock: clock)
    }

    /// Waits for a token, then sends.
    public func send(_ request: KubeRequest) async throws -> KubeResponse {
        try await bucket.take()
        return try await base.send(request)
    }

    /// Waits for a token, then opens the stream.
    public func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse {
        try await bucket.take()
        return try await base.stream(request)
    }
}

/// A token bucket that reserves tokens in arrival order; a waiter sleeps until its token exists.
actor TokenBucket {
    private let qps: Double
    private let burst: Double
    private let clock: RuntimeClock
    private var tokens: Double
    private var last: Duration

    init(qps: Double, burst: Int, clock: RuntimeClock) {
        self.qps = max(qps, 1e-9)
        self.burst = Double(max(1, burst))
        self.clock = clock
        self.tokens = Double(max(1, burst))
        self.last = clock.now
    }

    /// Takes a token, sleeping until it is available.
    func take() async throws {
        let now = clock.now
        let elapsed = now - last
        tokens = min(burst, tokens + (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * qps)
        last = now
        tokens -= 1
        if tokens >= 0 { return }
        let wait = Duration.nanoseconds(Int64((-tokens / qps * 1e9).rounded(.up)))
        try await clock.sleep(for: wait)
    }
}
