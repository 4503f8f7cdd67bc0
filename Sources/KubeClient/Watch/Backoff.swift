import Foundation
import KubernetesAPI

/// Exponential backoff with jitter, as client-go's reflector uses: 800 ms doubling to a 30 s cap,
/// each delay jittered into `[d, d·(1+jitter))`.
public struct Backoff: Sendable {
    /// The first delay.
    public var initial: Duration
    /// The growth factor per step.
    public var factor: Double
    /// The largest un-jittered delay.
    public var cap: Duration
    /// Jitter fraction: 1.0 spreads a delay d over [d, 2d); 0 disables jitter.
    public var jitter: Double
    private var current: Duration?
    private let random: @Sendable () -> Double

    /// Creates a backoff; `random` returns values in [0, 1) and is injectable for tests.
    public init(initial: Duration = .milliseconds(800), factor: Double = 2, cap: Duration = .seconds(30), jitter: Double = 1.0, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.initial = initial
        self.factor = factor
        self.cap = cap
        self.jitter = jitter
        self.random = random
    }

    /// The reflector's defaults.
    public static var reflector: Backoff { Backoff() }

    /// The next delay; grows the base for the following call.
    public mutating func next() -> Duration {
        let base = current ?? initial
        current = min(base * factor, cap)
        guard jitter > 0 else { return base }
        return base + base * (jitter * random())
    }

    /// Starts over from `initial`.
    public mutating func reset() { current = nil }
}
