import FederationAPI
import FederationCore
import Foundation
import Testing

/// A listed conflict says what became of the write applying its outcome: a restore that failed is
/// listed as failed, with the member's reason, and reads Restored once a retry goes through.
struct ReplicationConflictWriteTests {
    static let refusal = "updating ConfigMap/a failed: ConfigMap \"a\" is invalid: data: Forbidden: field is immutable when `immutable` is set (Invalid, HTTP 422)"

    static func round(_ rule: ReplicationRule, failing failure: String?) -> ReplicationRound {
        var round = ReplicationRound(
            plan: ReplicationStatusTests.plan(rule, replicas: ["a": Repl.replica("a", "local", written: "1")]), sourceRevision: "10",
            failures: failure.map { ["us-west": $0] } ?? [:])
        if let failure { round.unwritten = ["us-west": [Repl.key("a"): failure]] }
        return round
    }

    @Test func aFailedRestoreIsListedAsFailedWithItsReasonAndAsRestoredOnceARetryWorks() throws {
        var rule = Repl.rule()
        // Recorded before the pass writes anything: the restore it is about to make.
        let recorded = ReplicationStatusBuilder.recordingConflicts(rule: rule, plan: Self.round(rule, failing: nil).plan, now: Repl.now)
        #expect(recorded.status.conflicts.first?.message?.hasSuffix("SourceWins: Restored.") == true)
        rule.status = recorded.status
        let failed = ReplicationStatusBuilder.status(rule: rule, round: Self.round(rule, failing: Self.refusal), now: Repl.now)
        let entry = try #require(failed.status.conflicts.first)
        #expect(entry.message?.hasSuffix("SourceWins: restoring it failed (\(Self.refusal)); retried on the next pass.") == true)
        #expect(entry.resolution == .sourceWins)
        #expect(failed.newConflicts.isEmpty && failed.status.conflicts.count == 1 && failed.status.conflictsTotal == 1)
        #expect(failed.status.conditions.condition("ConflictsDetected")?.status == .true)
        rule.status = failed.status
        // The next pass plans the same restore: recording it does not undo what the list says.
        let retrying = ReplicationStatusBuilder.recordingConflicts(rule: rule, plan: Self.round(rule, failing: nil).plan, now: Repl.now)
        #expect(retrying.new.isEmpty && retrying.status.conflicts == failed.status.conflicts)
        // It fails again, for another reason: listed once, with the latest reason.
        let again = ReplicationStatusBuilder.status(rule: rule, round: Self.round(rule, failing: "updating ConfigMap/a failed: etcd down (InternalError, HTTP 500)"), now: Repl.now)
        #expect(again.status.conflicts.count == 1 && again.status.conflictsTotal == 1 && again.newConflicts.isEmpty)
        #expect(again.status.conflicts.first?.message?.contains("restoring it failed (updating ConfigMap/a failed: etcd down (InternalError, HTTP 500))") == true)
        rule.status = again.status
        // The retry goes through.
        let restored = ReplicationStatusBuilder.status(rule: rule, round: Self.round(rule, failing: nil), now: Repl.now)
        #expect(restored.status.conflicts.count == 1 && restored.status.conflictsTotal == 1 && restored.newConflicts.isEmpty)
        #expect(restored.status.conflicts.first?.message == recorded.status.conflicts.first?.message)
        #expect(restored.status.conflicts.first?.detectedAt == entry.detectedAt)
    }

    /// A restore still running when the pass stopped waiting for its member is listed as running, not
    /// as done; the same entry reads Restored once a later pass finds it through.
    @Test func aRestoreStillRunningIsListedAsRunningUntilItIsDone() throws {
        var rule = Repl.rule()
        var slow = Self.round(rule, failing: nil)
        slow.inFlight = ["us-west"]
        let running = ReplicationStatusBuilder.status(rule: rule, round: slow, now: Repl.now)
        let entry = try #require(running.status.conflicts.first)
        #expect(entry.message?.hasSuffix("SourceWins: restoring it was still running when the pass stopped waiting for us-west; the next pass looks again.") == true)
        #expect(running.status.conflictsTotal == 1)
        rule.status = running.status
        let done = ReplicationStatusBuilder.status(rule: rule, round: Self.round(rule, failing: nil), now: Repl.now)
        #expect(done.newConflicts.isEmpty && done.status.conflicts.count == 1 && done.status.conflictsTotal == 1)
        #expect(done.status.conflicts.first?.message?.hasSuffix("SourceWins: Restored.") == true)
        #expect(done.status.conflicts.first?.detectedAt == entry.detectedAt)
        // Another target still writing leaves this one's conflicts as they are.
        var other = Self.round(rule, failing: nil)
        other.inFlight = ["eu-central"]
        #expect(ReplicationStatusBuilder.status(rule: rule, round: other, now: Repl.now).status.conflicts.first?.message?.hasSuffix("SourceWins: Restored.") == true)
    }

    /// A write that never ran (after another one failed, or over a replica changed since the read)
    /// is no restore either; a conflict without a write (TargetWins) is untouched by the failures.
    @Test func onlyTheConflictWhoseWriteDidNotGoThroughSaysSo() {
        let rule = Repl.rule(.targetWins)
        var round = ReplicationRound(
            plan: ReplicationStatusTests.plan(rule, replicas: ["a": Repl.replica("a", "local", written: "1")]), sourceRevision: "10",
            failures: ["us-west": Self.refusal])
        round.unwritten = ["us-west": [Repl.key("b"): Self.refusal]]
        let status = ReplicationStatusBuilder.status(rule: rule, round: round, now: Repl.now).status
        #expect(status.conflicts.first?.message?.hasSuffix("TargetWins: KeptTarget.") == true)
        var finding = ConflictFinding(
            datacenter: "us-west", key: Repl.key("a"), strategy: .sourceWins, outcome: .restored, recordedHash: nil, replicaHash: "", sourceChanged: false,
            deletedInTarget: true)
        finding.writeFailure = "not attempted after an earlier write failed: no quota"
        #expect(finding.message.hasSuffix("SourceWins: re-creating it failed (not attempted after an earlier write failed: no quota); retried on the next pass."))
    }
}
