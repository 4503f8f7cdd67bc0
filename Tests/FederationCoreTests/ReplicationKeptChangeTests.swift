import FederationAPI
import FederationCore
import Foundation
import Testing

/// A local change that wins (LastWriterWins when the target's write is later, a person's
/// KeepTarget) stays where it is: the source change it won against is not copied over it on the
/// next pass; only a later source change is.
struct ReplicationKeptChangeTests {
    /// `replica` with `adoption`'s annotations merged in (a `resolution` removed), at a new resourceVersion, as the executor leaves it.
    static func adopted(_ replica: JSONValue, _ plan: ReplicationPlan) throws -> JSONValue {
        let adoption = try #require(plan.targets[0].effects.compactMap { if case .adopt(let a) = $0 { a } else { nil } }.first)
        var result = replica
        for (key, value) in adoption.annotations { result["metadata"]?["annotations"]?[key] = .string(value) }
        if case .object(var annotations)? = result["metadata"]?["annotations"] {
            annotations.removeValue(forKey: FederationAnnotation.resolution)
            result["metadata"]?["annotations"] = .object(annotations)
        }
        result["metadata"]?["resourceVersion"] = "501"
        return result
    }

    static func plan(_ rule: ReplicationRule, source: JSONValue, replica: JSONValue) -> ReplicationPlan {
        planReplication(
            rule: rule, source: "us-east", sourceRegion: "us-east-1", epoch: 1, sources: Repl.sources(["a": source]),
            targets: [Repl.target("us-west", region: "us-west-2", ["a": replica])], now: Repl.now)
    }

    @Test func aTieWonByTheTargetIsKeptOnTheNextPasses() throws {
        // Both changed since Concord's copy at revision 10; the tie goes to us-west, the greater name.
        let source = Repl.source("a", "src", rv: "11")
        let replica = Repl.replica("a", "west", written: "1")
        let first = Self.plan(Repl.rule(.lastWriterWins), source: source, replica: replica)
        #expect(Repl.describe(first.targets[0].effects) == ["conflict a KeptTarget", "adopt a"])
        let kept = try Self.adopted(replica, first)
        #expect(ReplicaContent.annotations(of: kept)[FederationAnnotation.sourceRevision] == "11")
        let next = Self.plan(Repl.rule(.lastWriterWins), source: source, replica: kept)
        #expect(Repl.describe(next.targets[0].effects) == [], "the source's write it won against is not copied over it")
        #expect(kept["data"]?["v"] == "west")
        // A later source write is copied.
        let later = Self.plan(Repl.rule(.lastWriterWins), source: Repl.source("a", "src-2", rv: "12"), replica: kept)
        #expect(Repl.describe(later.targets[0].effects) == ["update a"])
    }

    @Test func keepTargetAfterTheSourceChangedKeepsTheTargetsContent() throws {
        // The replica changed (a conflict waiting for a person), then the source changed too, then a person chose KeepTarget.
        let source = Repl.source("a", "src-before-resolve", rv: "11")
        let waiting = Self.plan(Repl.rule(.manual), source: source, replica: Repl.replica("a", "west", written: "1"))
        #expect(Repl.describe(waiting.targets[0].effects) == ["conflict a AwaitingPerson"])
        let replica = Repl.replica("a", "west", written: "1", resolution: "KeepTarget")
        let resolved = Self.plan(Repl.rule(.manual), source: source, replica: replica)
        #expect(Repl.describe(resolved.targets[0].effects) == ["conflict a KeptTarget", "adopt a"])
        let kept = try Self.adopted(replica, resolved)
        let next = Self.plan(Repl.rule(.manual), source: source, replica: kept)
        #expect(Repl.describe(next.targets[0].effects) == [])
        #expect(next.targets[0].inSync == 1)
        let later = Self.plan(Repl.rule(.manual), source: Repl.source("a", "src-2", rv: "12"), replica: kept)
        #expect(Repl.describe(later.targets[0].effects) == ["update a"], "a change at the source after the resolution is copied over it")
    }
}
