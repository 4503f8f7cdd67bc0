import Foundation

/// Gates leader-only work. The manager runs its controllers inside `runWhileLeading`.
///
/// A Lease-based implementation (15 s / 10 s / 2 s, exit on lost leadership) plugs in here
/// later; `AlwaysLeader` is the default for a single replica.
public protocol LeaderElection: Sendable {
    /// Waits until this process leads, then runs `work`. When leadership is lost, cancels `work`
    /// and throws (losing leadership is fatal, as in controller-runtime). Returns when `work` returns.
    func runWhileLeading(_ work: @escaping @Sendable () async throws -> Void) async throws
}

/// No election: this process always leads.
public struct AlwaysLeader: LeaderElection {
    /// Creates the gate.
    public init() {}
    /// Runs `work` at once.
    public func runWhileLeading(_ work: @escaping @Sendable () async throws -> Void) async throws {
        try await work()
    }
}
