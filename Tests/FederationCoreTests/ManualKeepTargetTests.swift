import FederationAPI
import FederationCore
import Foundation
import Testing

/// A person's KeepTarget on an object the rule never stamped (a former primary's own) adopts it: it
/// is stamped as the rule's replica of its own content, and the next pass finds it in sync.
struct ManualKeepTargetTests {
    static func plan(_ rule: ReplicationRule, source: JSONValue, replica: JSONValue) -> TargetPlan {
        planReplication(
            rule: rule, source: "us-east", epoch: 3, sources: Repl.sources(["a": source]), targets: [Repl.target("us-west", region: "us-west-2", ["a": replica])],
            now: Repl.now
        ).targets[0]
    }

    @Test func keepTargetStampsAnUnstampedObjectOnceAndItStaysKept() throws {
        let rule = Repl.rule(.manual)
        let source = Repl.source("a", "1", labels: ["scope": "global"])
        var own = Repl.source("a", "former-primary", rv: "3")
        own["metadata"]?["annotations"] = [FederationAnnotation.resolution: "KeepTarget"]

        let first = Self.plan(rule, source: source, replica: own)
        #expect(Repl.describe(first.effects) == ["conflict a KeptTarget", "update a clear"])
        guard case .update(let write) = first.writes.first else { Issue.record("no write"); return }
        #expect(write.expectedResourceVersion == "3")
        #expect(write.sourceWrittenAt == nil)
        #expect(write.object["data"] == ["v": "former-primary"])
        #expect(write.object["metadata"]?["labels"] == ["scope": "global"])
        let stamp = ReplicaStamp(of: write.object)
        #expect(stamp.rule == Repl.ruleID)
        #expect(stamp.sourceDatacenter == "us-east")
        #expect(stamp.sourceRevision == "10")
        #expect(stamp.contentHash == ReplicaContent.hash(of: own))
        #expect(stamp.resolution == nil)

        // The member now holds the write (the annotation removed): nothing more to do, nothing resolved again.
        var held = write.object
        held["metadata"]?["resourceVersion"] = "4"
        let next = Self.plan(rule, source: source, replica: held)
        #expect(next.effects.isEmpty)
    }

    /// As the controller plans, hashes are remembered by uid and resourceVersion. The kept object is
    /// written with the source's metadata, so its stamp once recorded the source's hash, and the next
    /// pass found the kept object changed and waiting for a person again.
    @Test func theStampRecordsTheKeptContentWhenHashesAreRemembered() throws {
        let rule = Repl.rule(.manual)
        var source = Repl.source("a", "1", labels: ["scope": "global"])
        source["metadata"]?["uid"] = "u-source"
        var own = Repl.source("a", "former-primary", rv: "3")
        own["metadata"]?["uid"] = "u-own"
        own["metadata"]?["annotations"] = [FederationAnnotation.resolution: "KeepTarget"]
        let memo = ContentHashMemo()
        let plan = planReplication(
            rule: rule, source: "us-east", epoch: 3, sources: Repl.sources(["a": source]), targets: [Repl.target("us-west", region: "us-west-2", ["a": own])],
            now: Repl.now, hash: memo.hash, sync: memo.sync
        ).targets[0]
        guard case .update(let write) = plan.writes.first else { Issue.record("no write"); return }
        #expect(ReplicaStamp(of: write.object).contentHash == ReplicaContent.hash(of: own))
        #expect(ReplicaStamp(of: write.object).contentHash != ReplicaContent.hash(of: source))
    }

    @Test func withoutAChoiceItWaitsAndOtherStrategiesAreUnchanged() {
        let own = Repl.source("a", "former-primary", rv: "3")
        #expect(Repl.describe(Self.plan(Repl.rule(.manual), source: Repl.source("a", "1"), replica: own).effects) == ["conflict a AwaitingPerson"])
        #expect(Repl.describe(Self.plan(Repl.rule(.targetWins), source: Repl.source("a", "1"), replica: own).effects) == ["conflict a KeptTarget"])
    }
}
