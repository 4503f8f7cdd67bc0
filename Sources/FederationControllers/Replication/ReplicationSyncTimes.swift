import ControllerRuntime
import Foundation
import Synchronization

/// Per rule and target, the read time of the last pass that found the target in sync (or left it
/// so): a later write's lag is measured from no earlier than that
/// (``FederationCore/ReplicationPlan/measuringLag(notBefore:)``). Kept in memory: after a restart
/// the first writes measure from their source writes.
final class ReplicationSyncTimes: Sendable {
    private let times = Mutex<[ObjectKey: [String: Date]]>([:])

    /// The floors of `rule`'s targets.
    func floors(for rule: ObjectKey) -> [String: Date] { times.withLock { $0[rule] ?? [:] } }

    /// Records that the pass of `rule` read at `at` left `synced` in sync, and forgets the rest.
    func record(_ rule: ObjectKey, synced: [String], at: Date) {
        times.withLock { all in
            var kept: [String: Date] = [:]
            for datacenter in synced { kept[datacenter] = at }
            for (datacenter, time) in all[rule] ?? [:] where kept[datacenter] == nil { kept[datacenter] = time }
            all[rule] = kept
        }
    }

    /// Forgets a deleted rule.
    func forget(_ rule: ObjectKey) { _ = times.withLock { $0.removeValue(forKey: rule) } }
}

/// Per rule, how many passes in a row had a write fail: a write that keeps failing (an immutable
/// object, a quota) is retried after `replicationRetry`, then twice as long each time, up to
/// ``cap``, instead of every `replicationRetry` for ever.
final class ReplicationRetries: Sendable {
    /// The longest wait between retries of failing writes.
    static let cap: Duration = .seconds(300)
    private let failures = Mutex<[ObjectKey: Int]>([:])

    /// The wait before the next pass of `rule` after one whose writes failed, starting at `base`.
    func afterFailure(_ rule: ObjectKey, base: Duration) -> Duration {
        let count = failures.withLock { all in
            all[rule, default: 0] += 1
            return all[rule] ?? 1
        }
        var wait = base
        for _ in 1..<min(count, 16) where wait < Self.cap { wait *= 2 }
        return min(wait, Self.cap)
    }

    /// A pass of `rule` without failed writes (or its deletion) starts the count again.
    func reset(_ rule: ObjectKey) { _ = failures.withLock { $0.removeValue(forKey: rule) } }
}
