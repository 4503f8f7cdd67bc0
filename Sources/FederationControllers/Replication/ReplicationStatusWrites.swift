import ControllerRuntime
import FederationAPI
import Foundation
import Synchronization

/// Per rule, when this process last wrote its status, and the status a pass built but did not
/// write (only progress changed: ``FederationCore/ReplicationStatusWrite``). The next pass builds on
/// that deferred status, not on the older one written, so a pass that finds nothing to write keeps
/// the latest sync times and revisions. After a restart nothing is known: the next change is
/// written at once.
final class StatusWrites: Sendable {
    private struct Entry {
        var writtenAt: Date?
        var deferred: (generation: Int64?, status: ReplicationRuleStatus)?
    }

    private let entries = Mutex<[ObjectKey: Entry]>([:])

    /// When `rule`'s status was last written.
    func writtenAt(_ rule: ObjectKey) -> Date? { entries.withLock { $0[rule]?.writtenAt } }

    /// Records a status write of `rule` at `at` (nothing is deferred any more).
    func written(_ rule: ObjectKey, at: Date) { entries.withLock { $0[rule] = Entry(writtenAt: at) } }

    /// Keeps `status`, built over `rule` at `generation`, for the next pass to build on.
    func deferred(_ rule: ObjectKey, generation: Int64?, status: ReplicationRuleStatus) {
        entries.withLock { $0[rule, default: Entry()].deferred = (generation, status) }
    }

    /// Drops what a pass deferred (the status built since equals the one written).
    func settle(_ rule: ObjectKey) { entries.withLock { $0[rule]?.deferred = nil } }

    /// The status deferred for `rule` while it is still at `generation`.
    func deferredStatus(_ rule: ObjectKey, generation: Int64?) -> ReplicationRuleStatus? {
        entries.withLock { entries in
            guard let deferred = entries[rule]?.deferred, deferred.generation == generation else { return nil }
            return deferred.status
        }
    }

    /// Forgets a deleted rule.
    func forget(_ rule: ObjectKey) { _ = entries.withLock { $0.removeValue(forKey: rule) } }
}
