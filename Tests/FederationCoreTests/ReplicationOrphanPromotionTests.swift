import FederationAPI
import FederationCore
import Foundation
import Testing

/// `deletion: Orphan` keeps the replicas of an object deleted at the source. When one of their
/// datacenters is promoted, its copy is a source object: the conflict in the datacenter that deleted
/// it says that, not that a fenced former primary accepted the deletion.
struct ReplicationOrphanPromotionTests {
    static let members = [("us-east", "us-east-1"), ("us-west", "us-west-2"), ("eu-central", "eu-central-1")]

    /// One pass from `source` over the other members holding `objects` (by datacenter).
    static func pass(_ rule: ReplicationRule, source: String, epoch: Int64, _ objects: [String: [String: JSONValue]]) -> ReplicationPlan {
        let targets = members.filter { $0.0 != source }.map { Repl.target($0.0, region: $0.1, objects[$0.0] ?? [:]) }
        return planReplication(rule: rule, source: source, epoch: epoch, sources: Repl.sources(objects[source] ?? [:]), targets: targets, now: Repl.now)
    }

    @Test func aCopyOrphanKeptAtThePromotedSourceIsListedForWhatItIs() throws {
        let rule = Repl.rule(deletion: .orphan)
        let copy = Repl.replica("x", "1", from: "us-east")
        // us-east, the healthy primary, deletes x: Orphan leaves the replicas alone.
        let deleted = Self.pass(rule, source: "us-east", epoch: 3, ["us-west": ["x": copy], "eu-central": ["x": copy]])
        #expect(deleted.targets.allSatisfy { $0.effects.isEmpty })
        // us-west is promoted: its copy is a source object, and us-east lacks it.
        let promoted = Self.pass(rule, source: "us-west", epoch: 4, ["us-west": ["x": copy], "eu-central": ["x": copy]])
        let east = try #require(promoted.targets.first { $0.datacenter == "us-east" })
        #expect(Repl.describe(east.effects) == ["conflict x Restored", "create x"])
        let finding = try #require(east.conflicts.first)
        #expect(finding.orphanedAt == "us-west")
        #expect(finding.message == "ConfigMap/x was deleted in us-east, where the source's copy came from; `deletion: Orphan` kept the copies of the deleted object, and us-west, which holds one, is the source now and replicates it as its own; SourceWins: re-created.")
        #expect(!finding.message.contains("fenced"))
        // Under Propagate the copies would be gone; one left is a deletion the fenced primary accepted.
        let propagate = Self.pass(Repl.rule(), source: "us-west", epoch: 4, ["us-west": ["x": copy]])
        let fenced = try #require(propagate.targets.first { $0.datacenter == "us-east" }?.conflicts.first)
        #expect(fenced.orphanedAt == nil && fenced.message.contains("(a deletion made there after the copy, such as one a former primary accepted before it was fenced)"))
    }
}
