import Foundation
import Synchronization

/// A `Clock` whose time moves only when a test calls `advance(by:)`.
///
/// Sleepers wake when the clock reaches their deadline, so timers, backoffs and bookmarks can be tested
/// without real waiting. `date` gives the matching wall-clock time for code that takes `now: () -> Date`.
///
/// ```swift
/// let clock = ManualClock()
/// async let fired: Void = clock.sleep(for: .seconds(10))
/// await clock.waitForSleepers(1)
/// clock.advance(by: .seconds(10))   // the sleep returns
/// ```
public final class ManualClock: Clock, Sendable {
    /// A point on the manual timeline: the time elapsed since the clock was created.
    public struct Instant: InstantProtocol, Sendable {
        /// Time since the clock's start.
        public var offset: Duration

        /// Creates an instant at `offset` from the start.
        public init(offset: Duration) { self.offset = offset }

        /// Moves the instant.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        /// The time from this instant to `other`.
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        /// Orders instants.
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private struct Sleeper {
        var id: UInt64
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    private let start: Date

    /// Creates a clock at offset zero whose `date` starts at `start`.
    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.start = start
    }

    /// The current instant.
    public var now: Instant { state.withLock { $0.now } }

    /// The clock is exact.
    public var minimumResolution: Duration { .zero }

    /// The wall-clock time matching `now`.
    public var date: Date {
        let offset = now.offset.components
        return start.addingTimeInterval(Double(offset.seconds) + Double(offset.attoseconds) / 1e18)
    }

    /// The number of tasks currently sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Suspends until the clock is advanced to `deadline` (or throws `CancellationError` when cancelled).
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { s -> UInt64 in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { s in
                    if deadline <= s.now || Task.isCancelled { return true }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let cancelled = state.withLock { s -> Sleeper? in
                guard let i = s.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return s.sleepers.remove(at: i)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        let due = state.withLock { s -> [Sleeper] in
            s.now = s.now.advanced(by: duration)
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Waits (yielding to other tasks, up to a real-time deadline of 10 s) until at least `count` tasks sleep on this clock.
    public func waitForSleepers(_ count: Int, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while sleeperCount < count {
            if ContinuousClock.now >= deadline { throw ManualClockTimeout(expected: count, found: sleeperCount) }
            // A short real pause instead of a bare yield: a yield-only loop keeps a cooperative thread busy.
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}

/// `ManualClock.waitForSleepers` gave up.
public struct ManualClockTimeout: Error, CustomStringConvertible, Sendable {
    /// Sleepers waited for.
    public var expected: Int
    /// Sleepers present at the deadline.
    public var found: Int
    /// A description.
    public var description: String { "expected \(expected) sleepers on the manual clock, found \(found)" }
}
