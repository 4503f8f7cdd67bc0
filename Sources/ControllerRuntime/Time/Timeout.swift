import Foundation
import KubeClient

/// An operation that did not finish within its time limit.
public struct TimeoutError: Error, CustomStringConvertible {
    /// What was attempted.
    public var operation: String
    /// The limit.
    public var limit: Duration
    /// `<operation> did not finish within <limit>`.
    public var description: String { "\(operation) did not finish within \(limit)" }

    /// Creates the error.
    public init(operation: String, limit: Duration) {
        self.operation = operation
        self.limit = limit
    }
}

/// Runs `body`, cancelling it and throwing `TimeoutError` when `limit` passes first on `clock`.
///
/// The one timeout mechanism of the controllers: the limit runs on the injected clock, so tests
/// on a virtual clock decide when it expires.
public func withTimeout<T: Sendable>(
    _ limit: Duration, _ operation: String, clock: RuntimeClock,
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
