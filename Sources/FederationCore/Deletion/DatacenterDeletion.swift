import FederationAPI
import Foundation

/// What became of the attempt to remove Concord's footprint from a member being deleted.
public enum MemberCleanup: Equatable, Sendable {
    /// There is no connection to the member: nothing was attempted and nothing can be.
    case noConnection
    /// The fencing marker (and the namespace Concord created) are gone from the member.
    case removed
    /// The member could not be cleaned; `error` says why.
    case failed(error: String)
}

/// The deletion decision for a Datacenter that carries Concord's finalizer: a pure function of
/// the cleanup outcome, the deletion time and the bound on how long deletion waits.
///
/// Deletion never blocks forever: a member that cannot be cleaned is retried until
/// `cleanupTimeout` after the deletion was requested; then the Datacenter is marked `Stalled`
/// with a message naming what was left behind, and the finalizer is released anyway.
public enum DatacenterDeletion {
    /// What the reconciler does, in order.
    public enum Decision: Equatable, Sendable {
        /// Release the finalizer (the object goes away) and forget the member.
        case release
        /// Write `conditions` (Reconciling=True, Finalizing) and look again after the retry delay.
        case wait(conditions: [Condition])
        /// Write `conditions` (Stalled=True, CleanupTimedOut), then release the finalizer and forget the member.
        case abandon(conditions: [Condition], message: String)
    }

    /// Decides what follows a cleanup attempt.
    /// - Parameters:
    ///   - datacenter: The Datacenter's name.
    ///   - server: Where its member connection points, for messages.
    ///   - cleanup: The outcome of this attempt.
    ///   - deletionRequested: `metadata.deletionTimestamp` (nil: now).
    ///   - generation: `metadata.generation`, recorded on the conditions.
    ///   - cleanupTimeout: How long deletion waits for an unreachable member (seconds).
    ///   - now: The current time.
    public static func decide(
        datacenter: String, server: String, cleanup: MemberCleanup, deletionRequested: Date?, generation: Int64?,
        cleanupTimeout: TimeInterval, now: Date
    ) -> Decision {
        guard case .failed(let error) = cleanup else { return .release }
        let waited = now.timeIntervalSince(deletionRequested ?? now)
        let time = KubeTime(now)
        if waited < cleanupTimeout {
            let message = "waiting for member \(datacenter) (\(server)) to remove the fencing marker: \(error); giving up in \(Int(cleanupTimeout - waited)) s"
            return .wait(conditions: [
                Condition(type: Datacenter.ConditionType.reconciling, status: .true, observedGeneration: generation, lastTransitionTime: time, reason: CommonReason.finalizing, message: message),
            ])
        }
        let message = "member \(datacenter) (\(server)) could not be reached for \(Int(cleanupTimeout)) s during deletion; ConfigMap \(FencingMarker.namespace)/\(FencingMarker.name) was left in it: delete it there by hand once the member is back"
        return .abandon(
            conditions: [
                Condition(type: Datacenter.ConditionType.reconciling, status: .false, observedGeneration: generation, lastTransitionTime: time, reason: CommonReason.cleanupTimedOut, message: message),
                Condition(type: Datacenter.ConditionType.stalled, status: .true, observedGeneration: generation, lastTransitionTime: time, reason: CommonReason.cleanupTimedOut, message: message),
            ],
            message: message)
    }
}
