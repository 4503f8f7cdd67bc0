import FederationAPI
import FederationCore
import Foundation
import Testing

/// ConflictsDetected means "a listed conflict is still open": waiting for a person, kept by
/// TargetWins, or found by the latest pass. Resolved conflicts stay in `status.conflicts` as history
/// without keeping it True.
struct ReplicationConflictsConditionTests {
    typealias Status = (status: ReplicationRuleStatus, newConflicts: [ConflictFinding])

    static func pass(_ rule: inout ReplicationRule, replicas: [String: JSONValue], unreachable: [String] = []) -> Status {
        let plan = ReplicationStatusTests.plan(rule, replicas: replicas)
        let result = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: plan, sourceRevision: "10", unreachable: unreachable), now: Repl.now)
        rule.status = result.status
        return result
    }

    @Test func aRestoredConflictIsHistoryOnceAPassFindsItNoMore() throws {
        var rule = Repl.rule()
        let found = Self.pass(&rule, replicas: ["a": Repl.replica("a", "local", written: "1")])
        #expect(found.status.conditions.condition("ConflictsDetected")?.status == .true)
        #expect(found.status.conditions.condition("ConflictsDetected")?.reason == "ConflictsResolved")
        #expect(found.status.conditions.condition("ConflictsDetected")?.message == "1 open conflict, found by the latest pass or kept as changed in its datacenter, resolved by SourceWins (1 detected in total).")
        // The restore went through: the next pass finds the replica in sync.
        let later = Self.pass(&rule, replicas: ["a": Repl.replica("a", "1")])
        let condition = try #require(later.status.conditions.condition("ConflictsDetected"))
        #expect(condition.status == .false)
        #expect(condition.reason == "NoOpenConflicts")
        #expect(condition.message == "No conflict is open; status.conflicts lists 1 resolved conflict as history (1 detected in total).")
        // The history and the total are kept as they were.
        #expect(later.status.conflicts == found.status.conflicts)
        #expect(later.status.conflictsTotal == 1)
        #expect(later.status.conditions.condition("Ready")?.status == .true)
    }

    /// An object only in a target (created there, not at the source, by no rule) is kept by every
    /// strategy: the condition says what a person does about it, not that a strategy resolved it.
    @Test func anObjectOnlyInATargetSaysHowToSettleIt() {
        var rule = Repl.rule()
        let result = Self.pass(&rule, replicas: ["a": Repl.replica("a", "local", written: "1"), "z": Repl.source("z", "here", rv: "3")])
        #expect(result.status.conditions.condition("ConflictsDetected")?.message
            == "1 open conflict, found by the latest pass or kept as changed in its datacenter, resolved by SourceWins; "
                + "1 object exists in a target but not at the source, kept there and never copied: delete it there or create it at the source (2 detected in total).")
    }

    /// Under Manual too: listed once (as kept, TargetWins), counted once, open while it exists.
    @Test func anObjectOnlyInATargetIsListedUnderManualToo() {
        var rule = Repl.rule(.manual)
        let first = Self.pass(&rule, replicas: ["a": Repl.replica("a", "1"), "z": Repl.source("z", "here", rv: "3")])
        #expect(first.status.conflicts.map(\.resolution) == [.targetWins])
        #expect(first.newConflicts.count == 1)
        #expect(first.status.conditions.condition("ConflictsDetected")?.status == .true)
        #expect(first.status.conditions.condition("Ready")?.status == .true, "nothing waits for a person")
        let again = Self.pass(&rule, replicas: ["a": Repl.replica("a", "1"), "z": Repl.source("z", "here", rv: "3")])
        #expect(again.newConflicts.isEmpty)
        #expect(again.status.conflicts.count == 1 && again.status.conflictsTotal == 1)
        #expect(again.status.conditions.condition("ConflictsDetected")?.status == .true)
        let gone = Self.pass(&rule, replicas: ["a": Repl.replica("a", "1")])
        #expect(gone.status.conditions.condition("ConflictsDetected")?.reason == "NoOpenConflicts")
    }

    @Test func aReplicaKeptByTargetWinsStaysOpenEvenWhileItsTargetIsAway() {
        var rule = Repl.rule(.targetWins)
        let kept = ["a": Repl.replica("a", "local", written: "1")]
        #expect(Self.pass(&rule, replicas: kept).status.conditions.condition("ConflictsDetected")?.status == .true)
        // Found again, unchanged: still open, not counted again.
        let again = Self.pass(&rule, replicas: kept)
        #expect(again.newConflicts.isEmpty && again.status.conflictsTotal == 1)
        #expect(again.status.conditions.condition("ConflictsDetected")?.status == .true)
        // Its target cannot be read: nothing says the change is gone.
        let away = ReplicationStatusBuilder.status(
            rule: rule, round: ReplicationRound(
                plan: planReplication(rule: rule, source: "us-east", epoch: 3, sources: Repl.sources(["a": Repl.source("a", "1")]), targets: [], now: Repl.now),
                sourceRevision: "10", unreachable: ["us-west"]),
            now: Repl.now)
        #expect(away.status.conditions.condition("ConflictsDetected")?.status == .true)
        // No longer a target (its Datacenter deleted, or no longer selected): nothing is kept there for the rule any more.
        let gone = ReplicationStatusBuilder.status(
            rule: rule, round: ReplicationRound(
                plan: planReplication(rule: rule, source: "us-east", epoch: 3, sources: Repl.sources(["a": Repl.source("a", "1")]), targets: [], now: Repl.now),
                sourceRevision: "10"),
            now: Repl.now)
        #expect(gone.status.conditions.condition("ConflictsDetected")?.status == .false)
        #expect(gone.status.conditions.condition("ConflictsDetected")?.reason == "NoOpenConflicts")
        #expect(gone.status.conflicts.count == 1)
        // A person put the replica back as Concord wrote it: history.
        let settled = Self.pass(&rule, replicas: ["a": Repl.replica("a", "1")])
        #expect(settled.status.conditions.condition("ConflictsDetected")?.reason == "NoOpenConflicts")
        #expect(settled.status.conflicts.count == 1)
    }

    @Test func aManualConflictIsOpenUntilResolvedAndNothingListedIsNoConflicts() {
        var rule = Repl.rule(.manual)
        let waiting = Self.pass(&rule, replicas: ["a": Repl.replica("a", "local", written: "1")])
        #expect(waiting.status.conditions.condition("ConflictsDetected")?.status == .true)
        #expect(waiting.status.conditions.condition("ConflictsDetected")?.reason == "ManualResolutionRequired")
        let resolved = Self.pass(&rule, replicas: ["a": Repl.replica("a", "local", written: "1", resolution: "KeepSource")])
        #expect(resolved.status.conflicts.isEmpty)
        #expect(resolved.status.conditions.condition("ConflictsDetected")?.status == .false)
        #expect(resolved.status.conditions.condition("ConflictsDetected")?.reason == "NoConflicts")
    }
}
