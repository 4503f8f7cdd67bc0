import Foundation
import KubernetesAPI
import Synchronization

/// A clock that moves only when told to: for deterministic tests of backoff, delays and resyncs.
///
/// Sleepers wake when `advance(by:)` passes their deadline; `waitForSleepers(_:)` lets a test wait,
/// without sleeping, until the code under test has gone to sleep.
public final class VirtualClock: Clock, Sendable {
    /// An instant: an offset from the clock's creation.
    public struct Instant: InstantProtocol, Hashable, Sendable {
        /// Offset from the clock's start.
        public var offset: Duration
        /// Creates an instant.
        public init(offset: Duration) { self.offset = offset }
        /// Moves the instant.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        /// The distance to another instant.
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        /// Orders instants.
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        var cancelledEarly: Set<Int> = []
        var watchers: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    /// Creates a clock at offset zero.
    public init() {}

    /// The current instant.
    public var now: Instant { state.withLock { $0.now } }

    /// The smallest step sleepers distinguish.
    public var minimumResolution: Duration { .nanoseconds(1) }

    /// The number of tasks currently sleeping.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline of a sleeper, if any.
    public var nextDeadline: Instant? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    /// Sleeps until the clock reaches `deadline`.
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
                    return ready.isEmpty ? nil : { ready.forEach { $0.continuation.resume() } }
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

    /// Moves time forward, waking every sleeper whose deadline has passed (earliest first).
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

    /// Suspends until at least `count` tasks are sleeping on this clock.
    public func waitForSleepers(_ count: Int = 1) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.sleepers.count >= count { return true }
                s.watchers.append((count, c))
                return false
            }
            if ready { c.resume() }
        }
    }
}
