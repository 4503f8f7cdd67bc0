import FederationAPI
import FederationCore
import Foundation
import Testing

/// Planning with a ``ReplicaSyncMemo`` kept between passes decides exactly as planning without one.
struct ReplicaSyncMemoTests {
    /// One member's store: it applies a plan's writes with its own resourceVersions.
    struct Member {
        var view: ReplicationTargetView
        var revision = 100

        mutating func set(_ key: ReplicaKey, _ object: JSONValue?) {
            revision += 1
            var object = object
            object?["metadata"]?["resourceVersion"] = .string("\(revision)")
            view.objects[key] = object
        }

        mutating func apply(_ plan: TargetPlan) {
            for effect in plan.effects {
                switch effect {
                case .create(let w), .update(let w): set(w.key, w.object)
                case .delete(let k), .deleteOutsideResidency(let k): set(k, nil)
                case .adopt(let a):
                    var object = view.objects[a.key]
                    for (name, value) in a.annotations { object?["metadata"]?["annotations"]?[name] = .string(value) }
                    set(a.key, object)
                case .blocked, .conflict: continue
                }
            }
        }
    }

    static let names = (0..<10).map { "cm-\($0)" }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func plansAsWithoutTheMemoOverRandomPasses(seed: UInt64) {
        var random = SimulationRandom(seed: seed)
        var sources: [ReplicaKey: JSONValue] = [:]
        var sourceRevision = 10
        var members = [("us-west", "us-west-2"), ("eu-central", "eu-central-1"), ("ap-south", "ap-south-1")].map {
            Member(view: ReplicationTargetView(datacenter: $0.0, region: $0.1, objects: [:]))
        }
        let memo = ContentHashMemo()
        var remembered = 0
        for pass in 0..<40 {
            // The source changes: edits, new and deleted objects, residency and other labels, annotations.
            for _ in 0..<random.int(in: 0...3) {
                let name = random.pick(Self.names), key = Repl.key(name)
                sourceRevision += 1
                switch random.int(in: 0...5) {
                case 0: sources[key] = nil
                case 1: sources[key]?["metadata"]?["labels"] = [FederationLabel.residency: .string(random.pick(["eu", "us", ""]))]
                case 2: sources[key]?["metadata"]?["annotations"] = ["team": .string(random.pick(["a", "b"]))]
                default: sources[key] = Repl.source(name, "\(random.int(in: 0...3))", rv: "\(sourceRevision)", labels: ["scope": "global"])
                }
                sources[key]?["metadata"]?["resourceVersion"] = .string("\(sourceRevision)")
            }
            // Members change their objects: local edits, restamps, lost labels, deletions, local objects.
            for m in members.indices where random.chance(0.5) {
                let key = Repl.key(random.pick(Self.names))
                var object = members[m].view.objects[key]
                switch random.int(in: 0...4) {
                case 0: object?["data"] = ["v": .string("local \(pass)")]
                case 1: object?["metadata"]?["annotations"]?[FederationAnnotation.sourceRevision] = "1"
                case 2: object?["metadata"]?["labels"] = nil
                case 3: object = nil
                default: object = Repl.source(key.name, "local", labels: ["scope": "global"])
                }
                members[m].set(key, object)
            }
            // The rule, the source and the targets change now and then.
            let rule = Repl.rule(random.pick(ConflictResolution.allCases), deletion: random.pick([.propagate, .orphan]), regions: random.chance(0.2) ? ["us-*", "eu-*"] : nil)
            let source = random.chance(0.1) ? "ap-south" : "us-east"
            if random.chance(0.1) { members[random.int(in: 0...2)].view.region = random.pick(["us-west-2", "eu-central-1", "ap-south-1"]) }
            let planned = members.filter { _ in random.chance(0.9) }.map(\.view)
            memo.nextPass()
            let plain = planReplication(rule: rule, source: source, sourceRegion: "us-east-1", epoch: 2, sources: sources, targets: planned, now: Repl.now)
            let withMemo = planReplication(
                rule: rule, source: source, sourceRegion: "us-east-1", epoch: 2, sources: sources, targets: planned, now: Repl.now, hash: memo.hash, sync: memo.sync)
            #expect(withMemo == plain, "seed \(seed), pass \(pass)")
            remembered += memo.sync.count
            for target in plain.targets {
                if let m = members.firstIndex(where: { $0.view.datacenter == target.datacenter }) { members[m].apply(target) }
            }
        }
        // The memo was really used: verdicts were remembered along the way.
        #expect(remembered > 0)
    }

    @Test func aReplicaEditedAfterAPassFoundItInSyncIsComparedAgain() {
        let sources = Repl.sources(["a": Repl.source("a", "1")])
        let memo = ContentHashMemo()
        func plan(_ replica: JSONValue) -> TargetPlan {
            memo.nextPass()
            return planReplication(
                rule: Repl.rule(), source: "us-east", epoch: 1, sources: sources, targets: [Repl.target("us-west", region: "us-west-2", ["a": replica])],
                now: Repl.now, hash: memo.hash, sync: memo.sync
            ).targets[0]
        }
        #expect(plan(Repl.replica("a", "1")).inSync == 1)
        #expect(memo.sync.count == 1)
        #expect(plan(Repl.replica("a", "1")).inSync == 1)
        let edited = plan(Repl.replica("a", "local", written: "1"))
        #expect(edited.inSync == 0)
        #expect(Repl.describe(edited.effects) == ["conflict a Restored", "update a"])
        #expect(memo.sync.count == 0)
    }

    @Test func aTargetNoLongerPlannedIsForgotten() {
        let sources = Repl.sources(["a": Repl.source("a", "1")])
        let memo = ContentHashMemo()
        let west = Repl.target("us-west", region: "us-west-2", ["a": Repl.replica("a", "1")])
        let east = Repl.target("eu-central", region: "eu-central-1", ["a": Repl.replica("a", "1")])
        _ = planReplication(rule: Repl.rule(), source: "us-east", epoch: 1, sources: sources, targets: [west, east], now: Repl.now, sync: memo.sync)
        #expect(memo.sync.count == 2)
        _ = planReplication(rule: Repl.rule(), source: "us-east", epoch: 1, sources: sources, targets: [west], now: Repl.now, sync: memo.sync)
        #expect(memo.sync.count == 1)
    }

    /// A selection that empties and comes back (a label removed and put back, the only object deleted
    /// and created again) once crashed the controller: the memo kept the old keys without their objects.
    @Test func aSelectionThatEmptiesAndComesBackPlansAsWithoutTheMemo() {
        let memo = ContentHashMemo()
        let west = Repl.target("us-west", region: "us-west-2", ["a": Repl.replica("a", "1")])
        for selected in [["a"], [], ["a"], [], ["b"], ["a", "b"], [], ["b", "a"]] {
            let sources = Repl.sources(Dictionary(uniqueKeysWithValues: selected.map { ($0, Repl.source($0, "1")) }))
            memo.nextPass()
            let remembered = planReplication(rule: Repl.rule(), source: "us-east", epoch: 1, sources: sources, targets: [west], now: Repl.now, hash: memo.hash, sync: memo.sync)
            let fresh = planReplication(rule: Repl.rule(), source: "us-east", epoch: 1, sources: sources, targets: [west], now: Repl.now)
            #expect(remembered == fresh, "selecting \(selected)")
        }
    }
}
