import Foundation
import Synchronization

/// A `Clock` whose time moves only when a test calls `advance(by:)`: the one test clock of the
/// project, for timers, backoffs, resyncs, leases and bookmarks without real waiting.
///
/// Sleepers wake when the clock reaches their deadline, earliest first. `waitForSleepers(_:)`
/// returns as soon as the code under test has gone to sleep (no polling). `date` gives the
/// matching wall-clock time for code that takes `now: () -> Date`.
///
/// ```swift
/// let clock = ManualClock()
/// async let fired: Void = clock.sleep(for: .seconds(10))
/// try await clock.waitForSleepers(1)
/// clock.advance(by: .seconds(10))   // the sleep returns
/// ```
public final class ManualClock: Clock, Sendable {
    /// A point on the manual timeline: the time elapsed since the clock was created.
    public struct Instant: InstantProtocol, Hashable, Sendable {
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
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct Watcher {
        var id: Int
        var count: Int
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        var cancelledEarly: Set<Int> = []
        var watchers: [Watcher] = []
    }

    private let state = Mutex(State())
    private let start: Date

    /// Creates a clock at offset zero whose `date` starts at `start`.
    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.start = start
    }

    /// The current instant.
    public var now: Instant { state.withLock { $0.now } }

    /// The smallest step sleepers distinguish.
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// The wall-clock time matching `now`.
    public var date: Date {
        let offset = now.offset.components
        return start.addingTimeInterval(Double(offset.seconds) + Double(offset.attoseconds) / 1e18)
    }

    /// The number of tasks currently sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline of a sleeper, if any.
    public var nextDeadline: Instant? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    /// Suspends until the clock is advanced to `deadline` (or throws `CancellationError` when cancelled).
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let action: (() -> Void)? = state.withLock { s in
                    if s.cancelledEarly.remove(id) != nil { return { c.resume(throwing: CancellationError()) } }
                    if deadline <= s.now { return { c.resume() } }
                    s.sleepers[id] = Sleeper(deadline: deadline, continuation: c)
                    let ready = s.watchers.filter { $0.count <= s.sleepers.count }
                    s.watchers.removeAll { $0.count <= s.sleepers.count }
                    return ready.isEmpty ? nil : { ready.forEach { $0.continuation.resume(returning: true) } }
                }
                action?()
            }
        } onCancel: {
            let c: CheckedContinuation<Void, any Error>? = state.withLock { s in
                if let sleeper = s.sleepers.removeValue(forKey: id) { return sleeper.continuation }
                s.cancelledEarly.insert(id)
                return nil
            }
            c?.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward, waking every sleeper whose deadline has come (earliest first).
    public func advance(by duration: Duration) {
        let woken: [CheckedContinuation<Void, any Error>] = state.withLock { s in
            s.now = s.now.advanced(by: duration)
            let due = s.sleepers.filter { $0.value.deadline <= s.now }.sorted { $0.value.deadline < $1.value.deadline }
            for (id, _) in due { s.sleepers.removeValue(forKey: id) }
            return due.map(\.value.continuation)
        }
        for c in woken { c.resume() }
    }

    /// Moves time to the earliest sleeper's deadline (if any) and wakes it.
    public func advanceToNextDeadline() {
        guard let next = nextDeadline else { return }
        let delta = now.duration(to: next)
        advance(by: delta > .zero ? delta : .zero)
    }

    /// The delay from now to the earliest sleeper's deadline, once some task sleeps on this clock.
    /// (A sleeper can be replaced by the code under test right after `waitForSleepers` returned —
    /// a timer re-armed on wake-up — so this reads the deadline that is there when one is.)
    public func nextSleeperDelay(timeout: Duration = .seconds(60)) async throws -> Duration {
        var delay: Duration?
        try await waitUntil("a sleeper on the manual clock", timeout: timeout, every: .milliseconds(1)) {
            delay = state.withLock { s in s.sleepers.values.map(\.deadline).min().map { s.now.duration(to: $0) } }
            return delay != nil
        }
        guard let delay else { throw ManualClockTimeout(expected: 1, found: 0) }
        return delay
    }

    /// Returns as soon as at least `count` tasks sleep on this clock — resumed directly by the sleeper
    /// that makes the count, so the test runs on before the code under test moves again. Throws
    /// `ManualClockTimeout` when that has not happened within `timeout` of real time (a test that
    /// would otherwise hang).
    public func waitForSleepers(_ count: Int = 1, timeout: Duration = .seconds(60)) async throws {
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        let reached = await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.sleepers.count >= count { return true }
                s.watchers.append(Watcher(id: id, count: count, continuation: c))
                return false
            }
            if ready {
                c.resume(returning: true)
                return
            }
            // The real-time limit runs on a dispatch timer, not a task: whichever comes first removes
            // the watcher under the lock and resumes it, exactly once.
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
                let expired = state.withLock { s -> Watcher? in
                    guard let i = s.watchers.firstIndex(where: { $0.id == id }) else { return nil }
                    return s.watchers.remove(at: i)
                }
                expired?.continuation.resume(returning: false)
            }
        }
        if !reached { throw ManualClockTimeout(expected: count, found: sleeperCount) }
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
