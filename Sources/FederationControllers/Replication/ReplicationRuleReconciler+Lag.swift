import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation

extension ReplicationRuleReconciler {
    /// The lag metric of a HubAndSpoke pass: each Unreachable or Failed target waits for the source
    /// since the oldest source write after its last in-sync read (this process's, else the status's
    /// `lastSyncTime`); one never found in sync waits since the first pass that saw it so.
    func reportWaits(_ status: ReplicationRuleStatus, key: ObjectKey, id: String, source: String, writtenAt: [ReplicaKey: Date]) {
        let floors = syncTimes.floors(for: key)
        var waiting: [String: Date] = [:], sinceFirstSeen: Set<String> = []
        for target in status.targets where target.state == .unreachable || target.state == .failed {
            guard let floor = floors[target.datacenter] ?? target.lastSyncTime?.date else {
                sinceFirstSeen.insert(target.datacenter)
                continue
            }
            waiting[target.datacenter] = ReplicationWait.oldestWrite(after: floor, in: writtenAt)
        }
        metrics.lags(status.targets, rule: id, source: source, waiting: waiting, sinceFirstSeen: sinceFirstSeen)
    }
}
