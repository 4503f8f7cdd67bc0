import FederationAPI
import FederationCore
import Foundation
import Testing

/// When a ReplicationRule's status is written: a change at once, progress alone at most every 5 s.
struct ReplicationStatusWriteTests {
    typealias W = ReplicationStatusWrite

    /// The status a pass builds over `previous`: the source at `revision`, the replicas `replicas` in
    /// us-west, writes that took `lag` seconds, and `failures`.
    static func pass(
        _ rule: ReplicationRule, previous: ReplicationRuleStatus?, revision: String, sources: [String: JSONValue] = ["a": Repl.source("a", "1")],
        replicas: [String: JSONValue] = [:], lag: Double? = nil, failures: [String: String] = [:], at: Date = Repl.now
    ) -> ReplicationRuleStatus {
        var rule = rule
        rule.status = previous
        let plan = planReplication(
            rule: rule, source: "us-east", epoch: 3, sources: Repl.sources(sources), targets: [Repl.target("us-west", region: "us-west-2", replicas)], now: at)
        let round = ReplicationRound(plan: plan, sourceRevision: revision, failures: failures, lags: lag.map { ["us-west": $0] } ?? [:])
        return ReplicationStatusBuilder.status(rule: rule, round: round, now: at).status
    }

    /// A rule whose one object `a` is in sync in us-west at revision 10, as written at `Repl.now`.
    static func synced() -> (ReplicationRule, ReplicationRuleStatus) {
        let rule = Repl.rule()
        let first = pass(rule, previous: nil, revision: "10", replicas: [:], lag: 0.1)
        let settled = pass(rule, previous: first, revision: "10", replicas: ["a": Repl.replica("a", "1")])
        return (rule, settled)
    }

    @Test func aFirstStatusIsWrittenAndAnEqualOneIsNot() {
        let (rule, written) = Self.synced()
        #expect(W.decide(written: nil, computed: written, writtenAt: nil, now: Repl.now) == .write)
        let again = Self.pass(rule, previous: written, revision: "10", replicas: ["a": Repl.replica("a", "1")])
        #expect(W.decide(written: written, computed: again, writtenAt: Repl.now, now: Repl.now) == .unchanged)
    }

    @Test func progressAloneWaitsForTheRefreshAfterTheLastWrite() {
        let (rule, written) = Self.synced()
        // A source write carried: new revisions, a lag, a later sync time and condition messages quoting the revision.
        let carried = Self.pass(
            rule, previous: written, revision: "11", sources: ["a": Repl.source("a", "2", rv: "11")], replicas: ["a": Repl.replica("a", "1")], lag: 0.05,
            at: Repl.now.addingTimeInterval(1))
        #expect(carried != written, "the pass moved progress")
        #expect(carried.targets[0].syncedRevision == "11" && carried.sourceRevision == "11")
        #expect(carried.conditions.condition("Synced")?.message != written.conditions.condition("Synced")?.message)
        #expect(W.decide(written: written, computed: carried, writtenAt: Repl.now, now: Repl.now.addingTimeInterval(1)) == .later(4))
        #expect(W.decide(written: written, computed: carried, writtenAt: Repl.now, now: Repl.now.addingTimeInterval(4.75)) == .later(0.25))
        #expect(W.decide(written: written, computed: carried, writtenAt: Repl.now, now: Repl.now.addingTimeInterval(5)) == .write)
        // Not written by this process (a restart), or a clock that went back: written at once.
        #expect(W.decide(written: written, computed: carried, writtenAt: nil, now: Repl.now) == .write)
        #expect(W.decide(written: written, computed: carried, writtenAt: Repl.now.addingTimeInterval(10), now: Repl.now) == .write)
        // A new object selected is progress too (the object count and objects in sync).
        let grown = Self.pass(
            rule, previous: written, revision: "12", sources: ["a": Repl.source("a", "1"), "b": Repl.source("b", "1", rv: "12")],
            replicas: ["a": Repl.replica("a", "1")], lag: 0.05, at: Repl.now.addingTimeInterval(1))
        #expect(grown.objects == 2)
        #expect(W.decide(written: written, computed: grown, writtenAt: Repl.now, now: Repl.now.addingTimeInterval(1)) == .later(4))
    }

    @Test func aChangeOfStateConflictsOrConditionsIsWrittenAtOnce() {
        let (rule, written) = Self.synced()
        let soon = Repl.now.addingTimeInterval(0.1)
        // A target whose writes fail: its state, Ready and Synced change.
        let failed = Self.pass(rule, previous: written, revision: "11", sources: ["a": Repl.source("a", "2", rv: "11")], replicas: ["a": Repl.replica("a", "1")], failures: ["us-west": "503"], at: soon)
        #expect(failed.targets[0].state == .failed)
        #expect(W.decide(written: written, computed: failed, writtenAt: Repl.now, now: soon) == .write)
        // A replica edited in us-west: a conflict listed and counted.
        let conflict = Self.pass(rule, previous: written, revision: "10", replicas: ["a": Repl.replica("a", "local", written: "1")], at: soon)
        #expect(conflict.conflictsTotal == 1)
        #expect(W.decide(written: written, computed: conflict, writtenAt: Repl.now, now: soon) == .write)
        // A new generation observed.
        var edited = rule
        edited.metadata.generation = 3
        let observed = Self.pass(edited, previous: written, revision: "10", replicas: ["a": Repl.replica("a", "1")], at: soon)
        #expect(observed.observedGeneration == 3)
        #expect(W.decide(written: written, computed: observed, writtenAt: Repl.now, now: soon) == .write)
        // Nothing selected any more: Ready turns False.
        let empty = Self.pass(rule, previous: written, revision: "12", sources: [:], replicas: ["a": Repl.replica("a", "1")], at: soon)
        #expect(empty.conditions.condition("Ready")?.status == .false)
        #expect(W.decide(written: written, computed: empty, writtenAt: Repl.now, now: soon) == .write)
        // Another source (a promotion) or epoch, a target added or its message changed.
        var moved = written
        moved.sourceEpoch = 4
        #expect(W.decide(written: written, computed: moved, writtenAt: Repl.now, now: soon) == .write)
        var added = written
        added.targets.append(ReplicationTargetStatus(datacenter: "eu-central", state: .pending))
        #expect(W.decide(written: written, computed: added, writtenAt: Repl.now, now: soon) == .write)
        var explained = written
        explained.targets[0].message = "Writes to this member are still running; it is planned again when they end."
        #expect(W.decide(written: written, computed: explained, writtenAt: Repl.now, now: soon) == .write)
    }
}
