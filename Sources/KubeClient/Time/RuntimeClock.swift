import Foundation
import KubernetesAPI

/// A type-erased monotonic clock measured in `Duration` since it was wrapped.
///
/// Runtime pieces (watch backoff, work queue delays, resync) take any `Clock<Duration>` and keep
/// it in this form, so production uses `ContinuousClock` and tests a `ManualClock`.
public struct RuntimeClock: Sendable {
    private let nowFn: @Sendable () -> Duration
    private let sleepFn: @Sendable (Duration) async throws -> Void

    /// Wraps a clock; instants become offsets from the moment of wrapping.
    public init<C: Clock>(_ clock: C) where C.Duration == Duration {
        let origin = clock.now
        nowFn = { origin.duration(to: clock.now) }
        sleepFn = { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
    }

    /// The real monotonic clock.
    public static var continuous: RuntimeClock { RuntimeClock(ContinuousClock()) }

    /// Time elapsed since the clock was wrapped.
    public var now: Duration { nowFn() }

    /// Sleeps until `deadline` (an offset as returned by `now`); throws `CancellationError` when cancelled.
    public func sleep(until deadline: Duration) async throws { try await sleepFn(deadline) }

    /// Sleeps for `duration`; throws `CancellationError` when cancelled.
    public func sleep(for duration: Duration) async throws { try await sleepFn(now + duration) }
}
