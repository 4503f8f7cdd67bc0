import FederationAPI
import FederationCore
import Foundation
import Testing

/// A bulk copy is planned a batch of creates per target at a time (`createsPerTarget`): the rest
/// waits for the next pass, which takes up where the last stopped; nothing else is deferred.
struct ReplicationCreateBatchTests {
    static let names = (0..<5).map { "cm-\($0)" }
    static let sources = Repl.sources(Dictionary(uniqueKeysWithValues: names.map { ($0, Repl.source($0, "v")) }))

    @Test func aBulkCopyIsCreatedABatchPerPassInKeyOrderUntilEveryObjectIsThere() {
        let memo = ContentHashMemo()
        var west = ReplicaSyncMemoTests.Member(view: Repl.target("us-west", region: "us-west-2"))
        var changed: Set<ReplicaKey> = []
        var created: [[String]] = [], deferred: [Int] = [], inSync: [Int] = []
        for pass in 0..<4 {
            memo.nextPass()
            let plan = planReplication(
                rule: Repl.rule(), source: "us-east", epoch: 1, sources: Self.sources, targets: [west.view], now: Repl.now,
                hash: memo.hash, sync: memo.sync, changes: pass == 0 ? nil : ReplicationChanges(targets: ["us-west": changed]), createsPerTarget: 2)
            let target = plan.targets[0]
            created.append(Repl.describe(target.effects))
            deferred.append(target.deferredCreates)
            inSync.append(target.inSync)
            #expect(target.allowedObjects == 5)
            #expect(plan.deferredCreates == target.deferredCreates)
            // The member holds what was written; the next pass is fed those keys only.
            let before = west.view.objects
            west.apply(target)
            changed = Set(west.view.objects.keys.filter { before[$0] != west.view.objects[$0] })
        }
        #expect(created == [["create cm-0", "create cm-1"], ["create cm-2", "create cm-3"], ["create cm-4"], []])
        #expect(deferred == [3, 1, 0, 0])
        #expect(inSync == [0, 2, 4, 5])
    }

    @Test func conflictsUpdatesAndDeletionsAreNeverDeferred() {
        var stampedHere = Repl.source("cm-0", "v")
        // A copy made from us-west while it was the source, since deleted there: a conflict, restored.
        stampedHere["metadata"]?["annotations"] = [FederationAnnotation.rule: .string(Repl.ruleID), FederationAnnotation.sourceDatacenter: "us-west"]
        var sources = Self.sources
        sources[Repl.key("cm-0")] = stampedHere
        let west = Repl.target("us-west", region: "us-west-2", [
            "cm-1": Repl.replica("cm-1", "local", written: "v"),  // changed in the member
            "cm-2": Repl.replica("cm-2", "v", rv: "9"),  // the source was written since
            "gone": Repl.replica("gone", "v"),  // the source deleted it
        ])
        let plan = planReplication(rule: Repl.rule(), source: "us-east", epoch: 1, sources: sources, targets: [west], now: Repl.now, createsPerTarget: 1)
        #expect(Repl.describe(plan.targets[0].effects) == [
            "conflict cm-0 Restored", "create cm-0", "conflict cm-1 Restored", "update cm-1", "update cm-2", "create cm-3", "delete gone",
        ])
        #expect(plan.targets[0].deferredCreates == 1)
        // Without a bound, the same pass creates both.
        let unbounded = planReplication(rule: Repl.rule(), source: "us-east", epoch: 1, sources: sources, targets: [west], now: Repl.now)
        #expect(Repl.describe(unbounded.targets[0].effects).filter { $0.hasPrefix("create") } == ["create cm-0", "create cm-3", "create cm-4"])
        #expect(unbounded.targets[0].deferredCreates == 0)
    }

    @Test func aTargetWithCreatesLeftIsSyncingAndCountsOnlyWhatItHolds() {
        let rule = Repl.rule()
        let plan = planReplication(
            rule: rule, source: "us-east", epoch: 1, sources: Self.sources, targets: [Repl.target("us-west", region: "us-west-2")], now: Repl.now,
            createsPerTarget: 2)
        let (status, _) = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: plan, sourceRevision: "10"), now: Repl.now)
        let west = status.targets[0]
        #expect(west.state == .syncing)
        #expect(west.objectsInSync == 2)
        #expect(west.message == "3 more objects to create here; the next pass creates the next batch.")
        #expect(status.conditions.condition("Synced")?.status == .false)
        #expect(status.conditions.condition("Ready")?.status == .false)
        // While the batch is still being written, the message says what follows it.
        var writing = ReplicationRound(plan: plan, sourceRevision: "10")
        writing.inFlight = ["us-west"]
        let (inFlight, _) = ReplicationStatusBuilder.status(rule: rule, round: writing, now: Repl.now)
        #expect(inFlight.targets[0].state == .syncing)
        #expect(inFlight.targets[0].message == "Writes to this member are still running, and 3 more objects to create after them; it is planned again when they end.")
    }
}
