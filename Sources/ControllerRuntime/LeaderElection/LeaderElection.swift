import Foundation
import ServiceLifecycle

/// Gates leader-only work. The manager runs its controllers inside `runWhileLeading`, and runs
/// `campaign` (if any) beside its informers for as long as it runs.
public protocol LeaderElection: Sendable {
    /// Waits until this process leads, then runs `work`. When leadership is lost, cancels `work`
    /// and throws `LeaderElectionLost` (losing leadership is fatal, as in controller-runtime).
    /// Returns when `work` returns, or at once when a graceful shutdown comes before election.
    func runWhileLeading(_ work: @escaping @Sendable () async throws -> Void) async throws

    /// The service that acquires and renews leadership; nil when there is nothing to run.
    var campaign: (any Service)? { get }
}

extension LeaderElection {
    /// No campaign by default.
    public var campaign: (any Service)? { nil }
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

/// Leadership was lost (the lease could not be renewed within the renew deadline). The manager
/// stops and the process exits: it never tries to lead again, as in controller-runtime.
public struct LeaderElectionLost: Error, Sendable, CustomStringConvertible {
    /// The lease, `namespace/name`.
    public var lease: String
    /// Why renewal failed.
    public var reason: String
    /// Creates the error.
    public init(lease: String, reason: String) {
        self.lease = lease
        self.reason = reason
    }
    /// `leader election lost: …`.
    public var description: String { "leader election lost: lease \(lease): \(reason)" }
}
