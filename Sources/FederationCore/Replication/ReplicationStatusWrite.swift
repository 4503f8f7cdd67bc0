import FederationAPI
import Foundation

/// When a ReplicationRule's freshly built status is written: at once when anything a reader or a
/// decision depends on changed, and progress alone at most every ``progressRefreshSeconds``.
///
/// A Continuous rule plans a pass per burst of source writes; with a steady stream each pass moves
/// only its progress (the revisions read and held, the lag, the counts and the last sync time), and
/// writing that every pass would cost the hub a status write per source write. Status is written
/// on change, as a Datacenter's is:
/// - at once: a first status, a new `observedGeneration`, source or epoch, a target added, removed or
///   changing its state, message or conflict count, the conflict list or total, or a condition's
///   type, status, reason or observedGeneration;
/// - progress alone (`sourceRevision`, `objects`; per target `syncedRevision`, `lagSeconds`,
///   `objectsInSync` and `lastSyncTime`; condition messages, which quote the revision and counts)
///   once the status written last is ``progressRefreshSeconds`` old, and the pass that defers it
///   wakes again by then, so the latest progress always lands within that bound.
public enum ReplicationStatusWrite {
    /// Progress alone is written at most this often (seconds).
    public static let progressRefreshSeconds: TimeInterval = 5

    /// What a pass does with the status it built.
    public enum Decision: Hashable, Sendable {
        /// Write it now.
        case write
        /// Only progress changed and the last write is recent: write it in this many seconds (a
        /// later pass, or one woken then).
        case later(TimeInterval)
        /// It equals what was written.
        case unchanged
    }

    /// Whether `computed` is written over `written`, the status as last written (or read), which was
    /// written at `writtenAt` (nil: not by this process, or not known).
    public static func decide(written: ReplicationRuleStatus?, computed: ReplicationRuleStatus, writtenAt: Date?, now: Date) -> Decision {
        guard let written else { return .write }
        if computed == written { return .unchanged }
        guard settled(computed) == settled(written), let writtenAt else { return .write }
        let age = now.timeIntervalSince(writtenAt)
        return age >= progressRefreshSeconds || age < 0 ? .write : .later(progressRefreshSeconds - age)
    }

    /// `status` without its progress: what must be written as soon as it changes.
    static func settled(_ status: ReplicationRuleStatus) -> ReplicationRuleStatus {
        var s = status
        s.sourceRevision = nil
        s.objects = nil
        for i in s.targets.indices {
            s.targets[i].syncedRevision = nil
            s.targets[i].lagSeconds = nil
            s.targets[i].objectsInSync = nil
            s.targets[i].lastSyncTime = nil
        }
        for i in s.conditions.indices { s.conditions[i].message = "" }
        return s
    }
}
