import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubernetesAPI
import Testing

@testable import FederationControllers

/// A pass that reads only what changed in the member caches since the last (each cache's change
/// log) keeps exactly what a pass reading them whole would read, and lists every key that changed.
struct ReplicationViewTests {
    typealias Read = ReplicationReadTests

    static func rv(_ object: JSONValue, _ revision: Int) -> JSONValue {
        var object = object
        object["metadata"]?["resourceVersion"] = .string("\(revision)")
        return object
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func readingChangesKeepsWhatAWholeReadKeeps(seed: UInt64) throws {
        var random = SimulationRandom(seed: seed)
        let rule = Read.rule, stamp = rule.ruleAnnotationValue
        let names = (0..<12).map { random.chance(0.3) ? "ca-\($0)" : "cm-\($0)" }
        let source = Read.cache([]), west = Read.cache([]), east = Read.cache([])
        let caches = ["us-east": source, "us-west": west, "eu-central": east]
        let basis = ReplicationView.Basis(spec: rule.spec, source: "us-east", kinds: [:])
        var view = ReplicationView(basis: basis)
        var revision = 1
        var fedReads = 0
        for step in 0..<80 {
            // Random writes and deletes everywhere: labels in and out of the selection, stamps of this rule and another.
            for _ in 0..<random.int(in: 0...4) {
                let cache = caches[random.pick(["us-east", "us-west", "eu-central"])]!
                let name = random.pick(names)
                revision += 1
                switch random.int(in: 0...4) {
                case 0: cache.remove(ObjectKey(namespace: "shop", name: name))
                case 1: cache.upsert(Self.rv(Read.configMap(name, labels: ["scope": "global"]), revision))
                case 2: cache.upsert(Self.rv(Read.configMap(name, labels: ["scope": "team"]), revision))
                case 3: cache.upsert(Self.rv(Read.configMap(name, rule: stamp), revision))
                default: cache.upsert(Self.rv(Read.configMap(name, rule: "shop/other"), revision))
                }
            }
            // Now and then a relist, which logs every object.
            if random.chance(0.05) { _ = west.replace(with: west.list()) }
            let sourceCaches: [ReplicationRuleReconciler.KindCache] = [(Read.id, source, "shop")]
            let before = view.sources
            let beforeTargets = view.targets
            let sourceChanges = view.generation > 0 ? ReplicationRuleReconciler.updateSources(&view, rule: rule, from: sourceCaches, at: "us-east") : nil
            if sourceChanges == nil { ReplicationRuleReconciler.readSources(into: &view, rule: rule, from: sourceCaches, at: "us-east") }
            var targetChanges: [String: Set<ReplicaKey>] = [:]
            for name in ["us-west", "eu-central"] {
                let held: [ReplicationRuleReconciler.KindCache] = [(Read.id, caches[name]!, "shop")]
                if let sourceChanges, let keys = ReplicationRuleReconciler.updateTarget(&view, name, rule: rule, from: held, sourceChanges: sourceChanges) {
                    targetChanges[name] = keys
                } else {
                    ReplicationRuleReconciler.readTarget(into: &view, name, rule: rule, from: held)
                }
            }
            view.generation = step + 1
            // A whole read of the same caches.
            var whole = ReplicationView(basis: basis)
            ReplicationRuleReconciler.readSources(into: &whole, rule: rule, from: sourceCaches, at: "us-east")
            for name in ["us-west", "eu-central"] {
                ReplicationRuleReconciler.readTarget(into: &whole, name, rule: rule, from: [(Read.id, caches[name]!, "shop")])
            }
            #expect(view.sources == whole.sources, "seed \(seed), step \(step)")
            #expect(view.sourceWrittenAt == whole.sourceWrittenAt, "seed \(seed), step \(step)")
            #expect(view.sourceRevision == whole.sourceRevision, "seed \(seed), step \(step)")
            #expect(view.targets == whole.targets, "seed \(seed), step \(step)")
            // Every key whose object changed is listed.
            if let sourceChanges {
                fedReads += 1
                for key in Set(before.keys).union(view.sources.keys) where before[key] != view.sources[key] {
                    #expect(sourceChanges.contains(key), "seed \(seed), step \(step): \(key)")
                }
                for (name, objects) in view.targets {
                    guard let listed = targetChanges[name], let old = beforeTargets[name] else { continue }
                    for key in Set(old.keys).union(objects.keys) where old[key] != objects[key] {
                        #expect(listed.contains(key), "seed \(seed), step \(step): \(name) \(key)")
                    }
                }
            }
        }
        #expect(fedReads > 40)
    }
}

/// An informer cache logs the keys it changes, so a reader can ask what changed since it last read.
struct CacheChangeLogTests {
    @Test func changesSinceACursorAreTheKeysWrittenRemovedOrRelisted() {
        let cache = ReplicationReadTests.cache([ReplicationReadTests.configMap("a")])
        let start = cache.cursor
        cache.upsert(ReplicationReadTests.configMap("b"))
        cache.remove(ObjectKey(namespace: "shop", name: "a"))
        cache.remove(ObjectKey(namespace: "shop", name: "missing"))
        let (keys, now) = cache.changes(since: start)
        #expect(keys == [ObjectKey(namespace: "shop", name: "a"), ObjectKey(namespace: "shop", name: "b")])
        #expect(cache.changes(since: now).keys == [])
        _ = cache.replace(with: [ReplicationReadTests.configMap("c")])
        #expect(cache.changes(since: now).keys == [ObjectKey(namespace: "shop", name: "b"), ObjectKey(namespace: "shop", name: "c")])
    }

    @Test func aCursorTooOldOrOfAnotherCacheCannotTell() {
        let cache = ReplicationReadTests.cache([]), other = ReplicationReadTests.cache([])
        let start = cache.cursor
        #expect(other.changes(since: start).keys == nil)
        for i in 0...InformerCache<JSONValue>.changesKept { cache.upsert(ReplicationReadTests.configMap("cm-\(i)")) }
        #expect(cache.changes(since: start).keys == nil)
        let recent = cache.cursor
        cache.upsert(ReplicationReadTests.configMap("late"))
        #expect(cache.changes(since: recent).keys == [ObjectKey(namespace: "shop", name: "late")])
    }
}

/// What a rule's passes keep for the next: the read is kept for the same basis until the full
/// resync is due, and the planner is fed a read's changes only when it planned the read before.
struct RulePassesTests {
    static let key = ObjectKey(namespace: "shop", name: "global")
    static let basis = ReplicationView.Basis(spec: ReplicationReadTests.rule.spec, source: "us-east", kinds: [:])

    @Test func aKeptReadIsReusedUntilTheFullResyncIsDueOrTheBasisChanges() {
        let passes = RulePasses(), start = Date(timeIntervalSince1970: 1_000_000)
        var view = passes.takeView(for: Self.key, basis: Self.basis, now: start, every: 60)
        #expect(view.generation == 0)
        view.sourceRevision = "7"
        _ = passes.putView(view, for: Self.key, whole: true, at: start)
        let kept = passes.takeView(for: Self.key, basis: Self.basis, now: start.addingTimeInterval(59), every: 60)
        #expect(kept.generation > 0 && kept.sourceRevision == "7")
        // A read of changes does not move the full resync.
        _ = passes.putView(kept, for: Self.key, whole: false, at: start.addingTimeInterval(59))
        #expect(passes.takeView(for: Self.key, basis: Self.basis, now: start.addingTimeInterval(60), every: 60).generation == 0)
        _ = passes.putView(kept, for: Self.key, whole: true, at: start.addingTimeInterval(60))
        var other = Self.basis
        other.source = "us-west"
        #expect(passes.takeView(for: Self.key, basis: other, now: start.addingTimeInterval(61), every: 60).generation == 0)
    }

    @Test func thePlannerIsFedOnlyChangesFoundAgainstTheReadItPlanned() {
        let passes = RulePasses(), at = Date(timeIntervalSince1970: 1_000_000)
        let first = passes.putView(ReplicationView(basis: Self.basis), for: Self.key, whole: true, at: at)
        #expect(passes.withMemo(for: Self.key, generation: (0, first)) { _, fed in fed } == false)
        let second = passes.putView(ReplicationView(basis: Self.basis), for: Self.key, whole: false, at: at)
        #expect(passes.withMemo(for: Self.key, generation: (first, second)) { _, fed in fed } == true)
        // A pass that planned without a read (Mesh) breaks the chain.
        #expect(passes.withMemo(for: Self.key, generation: nil) { _, fed in fed } == false)
        let third = passes.putView(ReplicationView(basis: Self.basis), for: Self.key, whole: false, at: at)
        #expect(passes.withMemo(for: Self.key, generation: (second, third)) { _, fed in fed } == false)
    }
}

/// Mistyped `resolution` values are found as a whole read finds them when only the changed objects
/// are looked at again.
struct ResolutionTyposChangesTests {
    static func object(_ name: String, resolution: String?) -> JSONValue {
        var object = ReplicationReadTests.configMap(name)
        if let resolution { object["metadata"]?["annotations"] = [FederationAnnotation.resolution: .string(resolution)] }
        return object
    }

    static func key(_ name: String) -> ReplicaKey { ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: name) }

    @Test func changedObjectsAreLookedAtAgainAndTheRestKeepTheirFindings() {
        let typos = ReplicationResolutionTypos(), rule = ObjectKey(namespace: "shop", name: "global")
        var west = ReplicationTargetView(datacenter: "us-west", region: "us-west-2", objects: [
            Self.key("a"): Self.object("a", resolution: "keepsource"), Self.key("b"): Self.object("b", resolution: nil),
        ])
        #expect(typos.unreported(rule, in: [west], generation: (0, 1)).map(\.key.name) == ["a"])
        // b gets a typo and a's is fixed: a pass fed both changes finds b's and forgets a's.
        west.objects[Self.key("a")] = Self.object("a", resolution: "KeepSource")
        west.objects[Self.key("b")] = Self.object("b", resolution: "keep-target")
        let changes = ReplicationChanges(targets: ["us-west": [Self.key("a"), Self.key("b")]])
        #expect(typos.unreported(rule, in: [west], changes: changes, generation: (1, 2)).map(\.key.name) == ["b"])
        // a mistyped again is reported again; b, unchanged and not listed, is kept and not reported twice.
        west.objects[Self.key("a")] = Self.object("a", resolution: "keepsource")
        #expect(typos.unreported(rule, in: [west], changes: ReplicationChanges(targets: ["us-west": [Self.key("a")]]), generation: (2, 3)).map(\.key.name) == ["a"])
        // Changes found against a read this tracker did not see are not trusted: everything is looked at.
        west.objects[Self.key("b")] = Self.object("b", resolution: "oops")
        #expect(typos.unreported(rule, in: [west], changes: ReplicationChanges(targets: ["us-west": []]), generation: (7, 8)).map(\.value) == ["oops"])
        // Within the chain, an object not listed is not looked at (the read lists every change).
        west.objects[Self.key("b")] = Self.object("b", resolution: "oops again")
        #expect(typos.unreported(rule, in: [west], changes: ReplicationChanges(targets: ["us-west": []]), generation: (8, 9)).isEmpty)
    }
}
