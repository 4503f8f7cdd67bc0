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
                case .blocked, .conflict, .release: continue
                }
            }
        }
    }

    static let names = (0..<10).map { "cm-\($0)" }

    /// Random source changes: edits, new and deleted objects, residency and other labels,
    /// annotations; the keys changed.
    static func changeSources(_ sources: inout [ReplicaKey: JSONValue], revision: inout Int, random: inout SimulationRandom) -> Set<ReplicaKey> {
        var changed = Set<ReplicaKey>()
        for _ in 0..<random.int(in: 0...3) {
            let name = random.pick(names), key = Repl.key(name)
            revision += 1
            changed.insert(key)
            switch random.int(in: 0...5) {
            case 0: sources[key] = nil
            case 1: sources[key]?["metadata"]?["labels"] = [FederationLabel.residency: .string(random.pick(["eu", "us", ""]))]
            case 2: sources[key]?["metadata"]?["annotations"] = ["team": .string(random.pick(["a", "b"]))]
            default: sources[key] = Repl.source(name, "\(random.int(in: 0...3))", rv: "\(revision)", labels: ["scope": "global"])
            }
            sources[key]?["metadata"]?["resourceVersion"] = .string("\(revision)")
        }
        return changed
    }

    /// Random changes in the members: local edits, restamps, lost labels, deletions, local objects;
    /// the keys changed per member.
    static func changeMembers(_ members: inout [Member], pass: Int, random: inout SimulationRandom) -> [String: ReplicaKey] {
        var changed: [String: ReplicaKey] = [:]
        for m in members.indices where random.chance(0.5) {
            let key = Repl.key(random.pick(names))
            var object = members[m].view.objects[key]
            switch random.int(in: 0...4) {
            case 0: object?["data"] = ["v": .string("local \(pass)")]
            case 1: object?["metadata"]?["annotations"]?[FederationAnnotation.sourceRevision] = "1"
            case 2: object?["metadata"]?["labels"] = nil
            case 3: object = nil
            default: object = Repl.source(key.name, "local", labels: ["scope": "global"])
            }
            members[m].set(key, object)
            changed[members[m].view.datacenter] = key
        }
        return changed
    }

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
            _ = Self.changeSources(&sources, revision: &sourceRevision, random: &random)
            _ = Self.changeMembers(&members, pass: pass, random: &random)
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

/// Planning with the changes since the previous pass fed (only those keys read again) decides as
/// planning everything afresh, over random passes; only the `hlc` stamped may be later.
struct ReplicationChangesTests {
    /// A plan with every `hlc` stamp and the clock removed, to compare decisions.
    static func unclocked(_ plan: ReplicationPlan) -> ReplicationPlan {
        var plan = plan
        plan.clock = nil
        for t in plan.targets.indices {
            plan.targets[t].effects = plan.targets[t].effects.map { effect in
                switch effect {
                case .create(var w): w.object["metadata"]?["annotations"]?[FederationAnnotation.hybridLogicalClock] = nil; return .create(w)
                case .update(var w): w.object["metadata"]?["annotations"]?[FederationAnnotation.hybridLogicalClock] = nil; return .update(w)
                case .adopt(var a): a.annotations[FederationAnnotation.hybridLogicalClock] = nil; return .adopt(a)
                default: return effect
                }
            }
        }
        return plan
    }

    @Test(arguments: [UInt64(11), 12, 13, 14, 15, 16, 17, 18, 19, 20])
    func fedChangesPlanAsAFreshPassOverRandomPasses(seed: UInt64) {
        var random = SimulationRandom(seed: seed)
        var sources: [ReplicaKey: JSONValue] = [:]
        var sourceRevision = 10
        var members = [("us-west", "us-west-2"), ("eu-central", "eu-central-1"), ("ap-south", "ap-south-1")].map {
            ReplicaSyncMemoTests.Member(view: ReplicationTargetView(datacenter: $0.0, region: $0.1, objects: [:]))
        }
        // Keys changed in each member since the last pass that planned it.
        var memberChanges: [String: Set<ReplicaKey>] = [:]
        let memo = ContentHashMemo()
        var rule = Repl.rule()
        var source = "us-east"
        var fedPasses = 0
        for pass in 0..<60 {
            let sourceChanges = ReplicaSyncMemoTests.changeSources(&sources, revision: &sourceRevision, random: &random)
            for (datacenter, key) in ReplicaSyncMemoTests.changeMembers(&members, pass: pass, random: &random) { memberChanges[datacenter, default: []].insert(key) }
            // Now and then the rule, the source or a target's region changes (the memo starts over or reads that target whole).
            if random.chance(0.08) {
                rule = Repl.rule(random.pick(ConflictResolution.allCases), deletion: random.pick([.propagate, .orphan]), regions: random.chance(0.3) ? ["us-*", "eu-*"] : nil)
            }
            if random.chance(0.05) { source = source == "us-east" ? "ap-south" : "us-east" }
            if random.chance(0.05) { members[random.int(in: 0...2)].view.region = random.pick(["us-west-2", "eu-central-1", "ap-south-1"]) }
            let planned = members.filter { _ in random.chance(0.9) }.map(\.view)
            let changes = ReplicationChanges(
                sources: sourceChanges,
                targets: Dictionary(uniqueKeysWithValues: planned.map { ($0.datacenter, memberChanges[$0.datacenter] ?? []) }))
            for view in planned { memberChanges[view.datacenter] = [] }
            // A member not planned this pass is forgotten by the memo: what changed there since stays listed for nothing.
            memo.nextPass()
            let fresh = planReplication(rule: rule, source: source, sourceRegion: "us-east-1", epoch: 2, sources: sources, targets: planned, now: Repl.now)
            let fed = planReplication(
                rule: rule, source: source, sourceRegion: "us-east-1", epoch: 2, sources: sources, targets: planned, now: Repl.now,
                hash: memo.hash, sync: memo.sync, changes: changes)
            #expect(Self.unclocked(fed) == Self.unclocked(fresh), "seed \(seed), pass \(pass)")
            if let later = fed.clock, let earlier = fresh.clock { #expect(!(later < earlier), "seed \(seed), pass \(pass)") }
            if fresh.clock != nil { #expect(fed.clock != nil) }
            if memo.sync.count > 0 { fedPasses += 1 }
            for target in fresh.targets {
                guard let m = members.firstIndex(where: { $0.view.datacenter == target.datacenter }) else { continue }
                let before = members[m].view.objects
                members[m].apply(target)
                for key in Set(before.keys).union(members[m].view.objects.keys) where before[key] != members[m].view.objects[key] {
                    memberChanges[target.datacenter, default: []].insert(key)
                }
            }
        }
        #expect(fedPasses > 10)
    }

    /// A change left out of the list is not seen: the proof that fed passes read only what is listed
    /// (and that the test above would catch a planner that ignored the changes and read everything).
    @Test func aPassReadsOnlyTheListedKeys() {
        let memo = ReplicaSyncMemo()
        var west = Repl.target("us-west", region: "us-west-2", ["a": Repl.replica("a", "1"), "b": Repl.replica("b", "1")])
        let sources = Repl.sources(["a": Repl.source("a", "1"), "b": Repl.source("b", "1")])
        func plan(_ changed: Set<ReplicaKey>) -> TargetPlan {
            planReplication(
                rule: Repl.rule(), source: "us-east", epoch: 1, sources: sources, targets: [west], now: Repl.now, sync: memo,
                changes: ReplicationChanges(targets: ["us-west": changed])
            ).targets[0]
        }
        #expect(plan([]).inSync == 2)
        west.objects[Repl.key("a")] = Repl.replica("a", "local", written: "1")
        west.objects[Repl.key("b")] = nil
        let onlyA = plan([Repl.key("a")])
        #expect(onlyA.inSync == 1)
        #expect(Repl.describe(onlyA.effects) == ["conflict a Restored", "update a"])
        let both = plan([Repl.key("a"), Repl.key("b")])
        #expect(Repl.describe(both.effects) == ["conflict a Restored", "update a", "create b"])
        // Without a change list, the target is read whole.
        let whole = planReplication(rule: Repl.rule(), source: "us-east", epoch: 1, sources: sources, targets: [west], now: Repl.now, sync: memo).targets[0]
        #expect(Repl.describe(whole.effects) == ["conflict a Restored", "update a", "create b"])
    }
}
