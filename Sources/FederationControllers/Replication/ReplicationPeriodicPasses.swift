import ControllerRuntime
import Foundation
import Synchronization

/// Per Periodic rule, when its next pass is due, `intervalSeconds` after the start of the last
/// regular one. A rule woken before then (to write the status progress a pass deferred, or by its
/// own status write) writes only that status: passes run every `intervalSeconds`, not whenever the
/// rule wakes. A spec change (a new generation) runs a pass at once; a pass that must come back
/// sooner (failed writes, an unreachable target, a batch left, writes still running) leaves no due time.
final class ReplicationPeriodicPasses: Sendable {
    private struct Due {
        let generation: Int64?
        let at: Date
    }

    private let due = Mutex<[ObjectKey: Due]>([:])

    /// The next pass of `rule` at `generation` is due at `at`.
    func schedule(_ rule: ObjectKey, generation: Int64?, at: Date) { due.withLock { $0[rule] = Due(generation: generation, at: at) } }

    /// When the next pass of `rule` at `generation` is due; nil when none is scheduled for that generation.
    func dueTime(_ rule: ObjectKey, generation: Int64?) -> Date? {
        due.withLock { all in all[rule].flatMap { $0.generation == generation ? $0.at : nil } }
    }

    /// Forgets `rule`'s due time (its next wake-up runs a pass), or a deleted rule.
    func forget(_ rule: ObjectKey) { _ = due.withLock { $0.removeValue(forKey: rule) } }
}
