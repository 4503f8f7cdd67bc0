import FederationAPI
import Foundation

/// Keeps `status.conflicts`: newest first, at most ``ReplicationRule/conflictLimit`` entries.
///
/// - A Manual conflict stays listed while it waits for a person, and leaves the list once resolved
///   (the replica carried a `resolution`, or its content went back to what Concord wrote).
/// - A conflict the strategy resolved (SourceWins, TargetWins, LastWriterWins) stays listed as
///   history until newer ones push it out; waiting Manual entries are pushed out last.
/// - A finding already listed (same datacenter, object and message) is not listed or counted again:
///   a TargetWins replica or a Manual one is found again on every pass. The message names the
///   replica's resourceVersion, so the same edit made again after a restore is a new conflict.
/// - After the pass ran (`results`), a listed conflict found again takes the finding's message, which
///   says whether the write applying its outcome went through (a failed restore says so and why, and
///   reads `Restored` again once a retry succeeds); it is the same conflict, neither listed nor counted again.
/// - A listed conflict whose write failed or was still running, and that a pass which read its datacenter
///   (`planned`) no longer finds (the replica was written or removed since, say), no longer says the
///   write is retried: it says the conflict is gone.
/// - A Manual conflict a person resolved stays listed, saying so, while the write carrying out the
///   resolution failed or still runs (after the pass ran); it leaves once that write went through.
/// - A conflict only a person can settle under any strategy (an object two rules select) is listed
///   as waiting for a person (resolution `Manual`), as Manual ones are, and leaves once settled.
/// - An object only in a target is kept by every strategy: under Manual it is listed with
///   resolution `TargetWins` (``ConflictFinding/listedResolution``), found again on every pass.
public enum ConflictLedger {
    /// The new list, and the findings that were not listed before; `results`: the findings carry
    /// their writes' results (the pass ran), and listed ones take their messages.
    public static func merge(
        previous: [ReplicationConflict], findings: [ConflictFinding], now: Date, results: Bool = false, planned: Set<String> = []
    ) -> (conflicts: [ReplicationConflict], new: [ConflictFinding]) {
        let waiting = Set(findings.filter { $0.outcome == .awaitingPerson }.map { Ident($0.datacenter, $0.key.kind, $0.key.name) })
        // A person's resolution is done once its write went through: before the pass ran it, or when it
        // failed or still runs, its entry stays (saying so, after the pass).
        let unfinished = findings.filter {
            $0.listedResolution == .manual && $0.outcome != .awaitingPerson && (!results || $0.writeFailure != nil || $0.writePending)
        }
        let resolving = Set(unfinished.map { Ident($0.datacenter, $0.key.kind, $0.key.name) })
        var kept = previous.filter {
            let id = Ident($0.datacenter, $0.kind, $0.name)
            return $0.resolution != .manual || waiting.contains(id) || resolving.contains(id)
        }
        for finding in unfinished where results {
            let id = Ident(finding.datacenter, finding.key.kind, finding.key.name)
            if let listed = kept.firstIndex(where: { $0.resolution == .manual && Ident($0.datacenter, $0.kind, $0.name) == id }) { kept[listed].message = finding.message }
        }
        var new: [ConflictFinding] = []
        for finding in findings.sorted(by: { ($0.datacenter, $0.key) < ($1.datacenter, $1.key) }) {
            let id = Ident(finding.datacenter, finding.key.kind, finding.key.name)
            if finding.listedResolution == .manual || finding.outcome == .awaitingPerson {
                // A resolution is not a new conflict; a waiting one is new only the first time.
                guard finding.outcome == .awaitingPerson, !kept.contains(where: { $0.resolution == .manual && Ident($0.datacenter, $0.kind, $0.name) == id }) else { continue }
            } else if let listed = kept.firstIndex(where: finding.lists) {
                if results { kept[listed].message = finding.message }
                continue
            }
            new.append(finding)
        }
        if results {
            // The cheap test first: only an entry still saying its write is unfinished is matched against the findings.
            for index in kept.indices where planned.contains(kept[index].datacenter) {
                guard let settled = settledMessage(kept[index]), !findings.contains(where: { $0.lists(kept[index]) }) else { continue }
                kept[index].message = settled
            }
        }
        var list = new.map { entry($0, now: now) } + kept
        while list.count > ReplicationRule.conflictLimit {
            if let last = list.lastIndex(where: { $0.resolution != .manual }) { list.remove(at: last) } else { list.removeLast() }
        }
        return (list, new)
    }

    /// The message of a listed conflict no longer found, when it still says its write failed or was running.
    static func settledMessage(_ listed: ReplicationConflict) -> String? {
        let resolution = listed.resolution
        guard let message = listed.message, resolution != .manual,
            message.hasSuffix(ConflictFinding.retried) || message.hasSuffix(ConflictFinding.looksAgain),
            let split = message.range(of: "; \(resolution.rawValue): ")
        else { return nil }
        return "\(message[..<split.lowerBound]); \(resolution.rawValue): no longer a conflict (the replica was written or removed since)."
    }

    static func entry(_ finding: ConflictFinding, now: Date) -> ReplicationConflict {
        ReplicationConflict(
            datacenter: finding.datacenter, apiVersion: finding.key.apiVersion, kind: finding.key.kind, name: finding.key.name,
            detectedAt: KubeTime(now), resolution: finding.outcome == .awaitingPerson ? .manual : finding.listedResolution, message: finding.message)
    }

    struct Ident: Hashable {
        let datacenter: String, kind: String, name: String
        init(_ datacenter: String, _ kind: String, _ name: String) {
            self.datacenter = datacenter
            self.kind = kind
            self.name = name
        }
    }
}

extension ConflictFinding {
    /// The resolution its entry lists: the rule's strategy, but `TargetWins` for an object only in
    /// the target under `Manual`, which every strategy keeps (listed as history while found, as a
    /// TargetWins replica is, not as a conflict waiting for a person or resolved by one).
    public var listedResolution: ConflictResolution { onlyInTarget && strategy == .manual ? .targetWins : strategy }

    /// True when `listed` is this conflict's entry in `status.conflicts`: the same datacenter and object,
    /// and this finding's message whatever became of its write (done, still running, or failed for any reason).
    public func lists(_ listed: ReplicationConflict) -> Bool {
        guard listed.datacenter == datacenter, listed.kind == key.kind, listed.name == key.name, let message = listed.message else { return false }
        var plain = self
        plain.writeFailure = nil
        plain.writePending = false
        if message == plain.message { return true }
        plain.writePending = true
        if message == plain.message { return true }
        plain.writePending = false
        // A failed write's message: this finding's with some reason in place of the marker.
        plain.writeFailure = "\u{0}"
        let parts = plain.message.split(separator: "\u{0}", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return message.count > parts[0].count + parts[1].count && message.hasPrefix(parts[0]) && message.hasSuffix(parts[1])
    }
}
