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
