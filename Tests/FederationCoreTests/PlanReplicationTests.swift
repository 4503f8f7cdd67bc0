import FederationAPI
import FederationCore
import Foundation
import Testing

/// The per-target replication plan: creates, updates, deletes, conflicts by strategy, residency.
struct PlanReplicationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var rule = Repl.rule()
        let sources: [String: JSONValue]
        var region = "us-west-2"
        var target = "us-west"
        let replicas: [String: JSONValue]
        let effects: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "missing replica → create", sources: ["a": Repl.source("a", "1")], replicas: [:], effects: ["create a"]),
        Case(name: "replica in sync → nothing", sources: ["a": Repl.source("a", "1")], replicas: ["a": Repl.replica("a", "1")], effects: []),
        Case(name: "source written since the copy → update", sources: ["a": Repl.source("a", "2", rv: "11")],
             replicas: ["a": Repl.replica("a", "1")], effects: ["update a"]),
        Case(name: "source label not on the replica → update", sources: ["a": Repl.source("a", "1", labels: ["scope": "global"])],
             replicas: ["a": Repl.replica("a", "1")], effects: ["update a"]),
        Case(name: "label added by the member's tooling is not a change", sources: ["a": Repl.source("a", "1")],
             replicas: ["a": Repl.replica("a", "1", labels: ["tool": "x"])], effects: []),
        Case(name: "new primary as source → rewrite the stamp", sources: ["a": Repl.source("a", "1")],
             replicas: ["a": Repl.replica("a", "1", from: "us-west")], effects: ["update a"]),
        Case(name: "source deleted, Propagate → delete the replica", sources: [:], replicas: ["a": Repl.replica("a", "1")], effects: ["delete a"]),
        Case(name: "source deleted, Orphan → keep it", rule: Repl.rule(deletion: .orphan), sources: [:], replicas: ["a": Repl.replica("a", "1")], effects: []),
        Case(name: "an object this rule did not write is never deleted", sources: [:], replicas: ["a": Repl.replica("a", "1", rule: "shop/other")], effects: []),
        Case(name: "an object only in the target that no rule wrote (a former primary's unreplicated write) → listed, kept, never copied",
             sources: [:], replicas: ["a": Repl.source("a", "fenced-write", rv: "3")], effects: ["conflict a KeptTarget"]),
        Case(name: "an object only in the target the rule does not select → ignored", rule: Repl.rule(selecting: ["scope": "global"]),
             sources: [:], replicas: ["a": Repl.source("a", "local", rv: "3")], effects: []),
        Case(name: "edited replica, SourceWins → conflict and restore", sources: ["a": Repl.source("a", "1")],
             replicas: ["a": Repl.replica("a", "local", written: "1")], effects: ["conflict a Restored", "update a"]),
        Case(name: "edited replica, TargetWins → conflict, nothing written", rule: Repl.rule(.targetWins), sources: ["a": Repl.source("a", "2", rv: "11")],
             replicas: ["a": Repl.replica("a", "local", written: "1")], effects: ["conflict a KeptTarget"]),
        Case(name: "edited replica, Manual → conflict awaiting a person", rule: Repl.rule(.manual), sources: ["a": Repl.source("a", "1")],
             replicas: ["a": Repl.replica("a", "local", written: "1")], effects: ["conflict a AwaitingPerson"]),
        Case(name: "Manual resolved KeepSource → restore and clear the annotation", rule: Repl.rule(.manual), sources: ["a": Repl.source("a", "1")],
             replicas: ["a": Repl.replica("a", "local", written: "1", resolution: "KeepSource")], effects: ["conflict a Restored", "update a clear"]),
        Case(name: "Manual resolved KeepTarget → adopt the local content", rule: Repl.rule(.manual), sources: ["a": Repl.source("a", "1")],
             replicas: ["a": Repl.replica("a", "local", written: "1", resolution: "KeepTarget")], effects: ["conflict a KeptTarget", "adopt a"]),
        Case(name: "LastWriterWins, only the replica changed → the replica is later: adopt", rule: Repl.rule(.lastWriterWins),
             sources: ["a": Repl.source("a", "1")], replicas: ["a": Repl.replica("a", "local", written: "1")], effects: ["conflict a KeptTarget", "adopt a"]),
        Case(name: "LastWriterWins, both changed, tie → the greater datacenter name (us-west over us-east) wins", rule: Repl.rule(.lastWriterWins),
             sources: ["a": Repl.source("a", "2", rv: "11")], replicas: ["a": Repl.replica("a", "local", written: "1")], effects: ["conflict a KeptTarget", "adopt a"]),
        Case(name: "LastWriterWins, both changed, tie → the source us-east wins over target eu-central", rule: Repl.rule(.lastWriterWins),
             sources: ["a": Repl.source("a", "2", rv: "11")], region: "eu-central-1", target: "eu-central", replicas: ["a": Repl.replica("a", "local", written: "1")],
             effects: ["conflict a Restored", "update a"]),
        Case(name: "same name and content, not written by this rule (a former source's copy) → stamp it, no conflict", sources: ["a": Repl.source("a", "1")],
             replicas: ["a": Repl.source("a", "1", rv: "3")], effects: ["update a"]),
        // A former source's own objects keep the stamps of the epoch they were copied in; the writes it
        // accepted as the source since then are the current source's content too.
        Case(name: "changed since its stamp, but to the source's content (a former source's writes) → stamp it, no conflict",
             sources: ["a": Repl.source("a", "2", rv: "11")], replicas: ["a": Repl.replica("a", "2", written: "1")], effects: ["update a"]),
        Case(name: "changed since its stamp, to the source's content, Manual → stamp it, nothing waits for a person", rule: Repl.rule(.manual),
             sources: ["a": Repl.source("a", "2", rv: "11")], replicas: ["a": Repl.replica("a", "2", written: "1")], effects: ["update a"]),
        Case(name: "replica written by another rule → conflict awaiting a person, never rewritten", sources: ["a": Repl.source("a", "1")],
             replicas: ["a": Repl.replica("a", "1", rule: "shop/other")], effects: ["conflict a AwaitingPerson"]),
        Case(name: "source gone but its residency excludes the source's region → its absence says nothing: keep",
             sources: [:], region: "eu-central-1", target: "eu-central", replicas: ["a": Repl.replica("a", "1", labels: [FederationLabel.residency: "eu"])], effects: []),
        Case(name: "same name, not written by Concord, SourceWins → conflict and take over", sources: ["a": Repl.source("a", "1")],
             replicas: ["a": Repl.source("a", "theirs", rv: "3")], effects: ["conflict a Restored", "update a"]),
        Case(name: "rule residency excludes the region → blocked, nothing written", rule: Repl.rule(regions: ["eu-*"]),
             sources: ["a": Repl.source("a", "1")], replicas: [:], effects: ["blocked a"]),
        Case(name: "object residency label eu in a us region → blocked", sources: ["a": Repl.source("a", "1", labels: [FederationLabel.residency: "eu"]), "b": Repl.source("b", "1")],
             replicas: [:], effects: ["blocked a", "create b"]),
        Case(name: "object residency label eu in an eu region → create", sources: ["a": Repl.source("a", "1", labels: [FederationLabel.residency: "eu"])],
             region: "eu-central-1", replicas: [:], effects: ["create a"]),
        Case(name: "replica found outside residency → deleted before any write", sources: ["a": Repl.source("a", "1", labels: [FederationLabel.residency: "eu"]), "b": Repl.source("b", "1")],
             replicas: ["a": Repl.replica("a", "1")], effects: ["blocked a", "evict a", "create b"]),
        Case(name: "orphaned replica outside residency → deleted even under Orphan", rule: Repl.rule(deletion: .orphan, regions: ["eu-*"]),
             sources: [:], replicas: ["a": Repl.replica("a", "1")], effects: ["evict a"]),
        // The source's copy came from the target (its former source): the target deleted it.
        Case(name: "deleted in the member the source's copy came from, SourceWins → conflict and re-create",
             sources: ["a": Repl.replica("a", "1", from: "us-west")], replicas: [:], effects: ["conflict a Restored", "create a"]),
        Case(name: "deleted in the member the source's copy came from, TargetWins → conflict, kept deleted", rule: Repl.rule(.targetWins),
             sources: ["a": Repl.replica("a", "1", from: "us-west")], replicas: [:], effects: ["conflict a KeptTarget"]),
        Case(name: "deleted in the member the source's copy came from, Manual → awaiting a person", rule: Repl.rule(.manual),
             sources: ["a": Repl.replica("a", "1", from: "us-west")], replicas: [:], effects: ["conflict a AwaitingPerson"]),
        Case(name: "deleted there, LastWriterWins, source unchanged since the copy → the deletion is later: kept deleted", rule: Repl.rule(.lastWriterWins),
             sources: ["a": Repl.replica("a", "1", from: "us-west")], replicas: [:], effects: ["conflict a KeptTarget"]),
        Case(name: "deleted there, LastWriterWins, source changed too, tie → us-east over eu-central: re-create", rule: Repl.rule(.lastWriterWins),
             sources: ["a": Repl.replica("a", "2", written: "1", from: "eu-central")], region: "eu-central-1", target: "eu-central", replicas: [:],
             effects: ["conflict a Restored", "create a"]),
        Case(name: "missing in a member the source's copy did not come from → plain create",
             sources: ["a": Repl.replica("a", "1", from: "eu-central")], replicas: [:], effects: ["create a"]),
    ]

    @Test(arguments: cases)
    func plansEffects(_ c: Case) {
        let plan = planReplication(
            rule: c.rule, source: "us-east", sourceRegion: "us-east-1", epoch: 3, sources: Repl.sources(c.sources),
            targets: [Repl.target(c.target, region: c.region, c.replicas)], now: Repl.now)
        #expect(Repl.describe(plan.targets[0].effects) == c.effects)
    }

    @Test func writesCarryTheStampAndTheSourceContent() throws {
        let source = Repl.source("a", "1", rv: "42", labels: ["scope": "global"])
        let plan = planReplication(rule: Repl.rule(), source: "us-east", epoch: 3, sources: Repl.sources(["a": source]), targets: [Repl.target("us-west", region: "us-west-2")], now: Repl.now)
        guard case .create(let write) = try #require(plan.targets[0].effects.first) else { Issue.record("expected a create"); return }
        let a = ReplicaContent.annotations(of: write.object)
        #expect(a[FederationAnnotation.sourceDatacenter] == "us-east")
        #expect(a[FederationAnnotation.sourceRevision] == "42")
        #expect(a[FederationAnnotation.epoch] == "3")
        #expect(a[FederationAnnotation.rule] == Repl.ruleID)
        #expect(a[FederationAnnotation.contentHash] == ReplicaContent.hash(of: source))
        #expect(a[FederationAnnotation.hybridLogicalClock] == "1800000000000.0@us-east")
        #expect(write.object["data"] == source["data"])
        #expect(write.object["metadata"]?["resourceVersion"] == nil)
        #expect(ReplicaContent.labels(of: write.object) == ["scope": "global"])
        // The replica Concord writes is in sync on the next pass.
        var written = write.object
        written["metadata"]?["resourceVersion"] = "900"
        let next = planReplication(rule: Repl.rule(), source: "us-east", epoch: 3, sources: Repl.sources(["a": source]), targets: [Repl.target("us-west", region: "us-west-2", ["a": written])], now: Repl.now)
        #expect(next.targets[0].effects.isEmpty)
        #expect(next.targets[0].inSync == 1)
    }

    @Test func hlcReadingsAdvancePastEveryReadingSeen() throws {
        let seen = "1900000000000.5@eu-central"
        let plan = planReplication(
            rule: Repl.rule(), source: "us-east", epoch: 3, sources: Repl.sources(["a": Repl.source("a", "1"), "b": Repl.source("b", "1")]),
            targets: [Repl.target("eu-central", region: "eu-central-1", ["z": Repl.replica("z", "1", rule: "shop/other", hlc: seen)])], now: Repl.now)
        let stamps = plan.targets[0].effects.compactMap { effect -> HLCTimestamp? in
            guard case .create(let w) = effect else { return nil }
            return ReplicaContent.annotations(of: w.object)[FederationAnnotation.hybridLogicalClock].flatMap { HLCTimestamp(annotation: $0) }
        }
        #expect(stamps.map(\.description) == ["1900000000000.6@us-east", "1900000000000.7@us-east"])
    }

    @Test func restoringMeasuresNoLagButCopyingASourceChangeDoes() throws {
        let written = Date(timeIntervalSince1970: 1_799_999_990)
        let restore = planReplication(
            rule: Repl.rule(), source: "us-east", epoch: 3, sources: Repl.sources(["a": Repl.source("a", "1")]),
            targets: [Repl.target("us-west", region: "us-west-2", ["a": Repl.replica("a", "local", written: "1")])], now: Repl.now, sourceWrittenAt: [Repl.key("a"): written])
        guard case .update(let w) = try #require(restore.targets[0].effects.last) else { Issue.record("expected an update"); return }
        #expect(w.sourceWrittenAt == nil)
        let copy = planReplication(
            rule: Repl.rule(), source: "us-east", epoch: 3, sources: Repl.sources(["a": Repl.source("a", "2", rv: "11")]),
            targets: [Repl.target("us-west", region: "us-west-2", ["a": Repl.replica("a", "1")])], now: Repl.now, sourceWrittenAt: [Repl.key("a"): written])
        guard case .update(let u) = try #require(copy.targets[0].effects.last) else { Issue.record("expected an update"); return }
        #expect(u.sourceWrittenAt == written)
    }

    @Test func countsPerTarget() {
        let plan = planReplication(
            rule: Repl.rule(), source: "us-east", epoch: 3,
            sources: Repl.sources(["a": Repl.source("a", "1"), "b": Repl.source("b", "1", labels: [FederationLabel.residency: "eu"])]),
            targets: [Repl.target("us-west", region: "us-west-2", ["a": Repl.replica("a", "1")]), Repl.target("eu-central", region: "eu-central-1")],
            now: Repl.now)
        #expect(plan.objects == 2)
        #expect(plan.targets.map(\.datacenter) == ["eu-central", "us-west"])
        #expect(plan.targets.map(\.allowedObjects) == [2, 1])
        #expect(plan.targets.map(\.inSync) == [0, 1])
        #expect(plan.targets.map(\.regionAllowed) == [true, true])
    }
}
