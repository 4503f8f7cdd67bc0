import Foundation

/// An operation that did not finish within its time limit.
struct TimeoutError: Error, CustomStringConvertible {
    /// What was attempted.
    var operation: String
    /// The limit.
    var limit: Duration
    var description: String { "\(operation) did not finish within \(limit)" }
}

/// Runs `operation`, cancelling it and throwing `TimeoutError` when `limit` passes first.
func withTimeout<T: Sendable>(
    _ limit: Duration, _ operation: String, clock: some Clock<Duration> = ContinuousClock(),
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await clock.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TimeoutError(operation: operation, limit: limit)
        }
        return value
    }
}
