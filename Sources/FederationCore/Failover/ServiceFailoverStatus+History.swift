import FederationAPI
import Foundation

extension ServiceFailoverStatus {
    /// Ends `move` at `now` (`completedAt`, and `durationSeconds` to the millisecond), lists it first
    /// in `history` (at most ``FederationAPI/ServiceFailover/historyLimit`` entries) and returns it ended.
    mutating func listEnded(_ move: FailoverTransition, at now: Date) -> FailoverTransition {
        var ended = move
        ended.completedAt = KubeTime(now)
        ended.durationSeconds = (now.timeIntervalSince(move.startedAt.date) * 1000).rounded() / 1000
        history = Array(([ended] + history).prefix(ServiceFailover.historyLimit))
        return ended
    }
}
