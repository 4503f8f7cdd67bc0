import Foundation

/// Polls `condition` every `interval` until it returns true or `timeout` of real time passes, and
/// returns whether it became true: the one way tests wait for something to happen (with a deadline,
/// never a fixed sleep).
///
/// ```swift
/// #expect(try await eventually(timeout: .seconds(5)) { try await dcs.get("east").status?.phase == .ready })
/// ```
public func eventually(
    timeout: Duration, every interval: Duration = .milliseconds(10), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while clock.now < deadline {
        if try await condition() { return true }
        // A short real pause, not a bare yield: a yield-only loop keeps a cooperative thread busy.
        do { try await Task.sleep(for: interval) } catch { break }
    }
    return try await condition()
}

/// Waits with `eventually` and throws `ConditionTimedOut` naming `what` when the deadline passes.
public func waitUntil(
    _ what: String = "condition", timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async throws {
    guard try await eventually(timeout: timeout, every: interval, condition) else {
        throw ConditionTimedOut(what: what, timeout: timeout)
    }
}

/// `waitUntil` gave up.
public struct ConditionTimedOut: Error, CustomStringConvertible, Sendable {
    /// What was waited for.
    public var what: String
    /// How long.
    public var timeout: Duration
    /// Creates the error.
    public init(what: String, timeout: Duration) {
        self.what = what
        self.timeout = timeout
    }
    /// A description.
    public var description: String { "\(what) not met within \(timeout)" }
}
