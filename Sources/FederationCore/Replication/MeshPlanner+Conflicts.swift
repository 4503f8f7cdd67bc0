import FederationAPI
import Foundation

extension MeshPlanner {
    /// The versions a changed `winner` never saw and overrides: copies stamped later than the copy
    /// it was changed from (any, for a new object) with other content. One finding per version, at
    /// the member that wrote it when it holds a copy. `Restored` (the copy holds no local change),
    /// but under Manual before a person chose: then that write waits for the person beside the change
    /// that overrides it, both being theirs to choose from.
    func overtaken(_ key: ReplicaKey, by winner: MeshCopy, among copies: [MeshCopy], members: [ReplicationTargetView]) -> [(Int, ConflictFinding)] {
        guard winner.changed else { return [] }
        let seen = winner.stamp.rule == ruleID ? winner.stamp.clock : nil
        var found: [HLCTimestamp: MeshCopy] = [:]
        for copy in copies where !copy.changed && copy.hash != winner.hash && seen.map({ $0 < copy.clock }) ?? true {
            if let other = found[copy.clock], members[other.member].datacenter == copy.clock.datacenter { continue }
            found[copy.clock] = copy
        }
        return found.values.sorted { $0.member < $1.member }.map { copy in
            var f = finding(key, at: members[copy.member].datacenter, copy: copy, winner: winner, deleted: false)
            if f.outcome != .awaitingPerson { f.outcome = .restored }
            return (copy.member, f)
        }
    }

    /// Manual: the version in force, unchanged since it was copied, when a losing change was made
    /// without seeing it (the change's reading is earlier, so it was made on an older copy): one of
    /// the writes the person chooses between, listed at the member that wrote it when it holds a copy.
    func unseen(_ key: ReplicaKey, winner: MeshCopy, losers: [MeshCopy], among copies: [MeshCopy], members: [ReplicationTargetView]) -> (Int, ConflictFinding)? {
        guard strategy == .manual, !winner.changed, let latest = losers.max(by: { $0.clock < $1.clock }) else { return nil }
        let holder = copies.first { !$0.changed && $0.clock == winner.clock && members[$0.member].datacenter == winner.clock.datacenter } ?? winner
        var f = finding(key, at: members[holder.member].datacenter, copy: holder, winner: winner, deleted: false)
        f.laterWrite = nil
        f.unseenBy = latest.clock.description
        return (holder.member, f)
    }

    /// The conflict of a copy changed in `datacenter` (or deleted there) that `winner`'s later write overrides.
    func finding(_ key: ReplicaKey, at datacenter: String, copy: MeshCopy?, winner: MeshCopy, deleted: Bool) -> ConflictFinding {
        let outcome: ConflictOutcome
        if winner.stamp.resolution == .keepTarget {
            outcome = .restored
        } else {
            outcome = switch strategy {
            case .manual: .awaitingPerson
            case .targetWins: .keptTarget
            case .lastWriterWins, .sourceWins: .restored
            }
        }
        return ConflictFinding(
            datacenter: datacenter, key: key, strategy: strategy, outcome: outcome, recordedHash: copy?.stamp.contentHash,
            replicaHash: copy?.hash ?? "", sourceChanged: true, deletedInTarget: deleted,
            laterWrite: winner.clock.datacenter == datacenter ? nil : winner.clock.description)
    }
}
