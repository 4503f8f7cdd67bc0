import FederationAPI
import FederationCore
import Foundation
import Testing

/// The content hash covers what is replicated, never metadata noise or status.
struct ReplicaContentTests {
    static func configMap(_ data: [String: String], rv: String = "1", labels: [String: String] = [:], annotations: [String: String] = [:], extra: [String: JSONValue] = [:]) -> JSONValue {
        var metadata: [String: JSONValue] = [
            "name": "flags", "namespace": "shop", "resourceVersion": .string(rv), "uid": .string("uid-\(rv)"),
            "managedFields": .array([.object(["manager": "kubectl", "time": "2026-01-01T00:00:00Z"])]),
        ]
        if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
        if !annotations.isEmpty { metadata["annotations"] = .object(annotations.mapValues { .string($0) }) }
        var o: [String: JSONValue] = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": .object(metadata), "data": .object(data.mapValues { .string($0) })]
        for (k, v) in extra { o[k] = v }
        return .object(o)
    }

    @Test func metadataAndStatusDoNotChangeTheHash() {
        let a = Self.configMap(["k": "v"], rv: "1")
        let b = Self.configMap(["k": "v"], rv: "99", labels: ["team": "x"], annotations: [FederationAnnotation.contentHash: "abc"], extra: ["status": .object(["x": 1])])
        #expect(ReplicaContent.hash(of: a) == ReplicaContent.hash(of: b))
    }

    @Test func contentChangesTheHash() {
        let a = Self.configMap(["k": "v"]), b = Self.configMap(["k": "w"]), c = Self.configMap(["k": "v", "l": "v"])
        #expect(ReplicaContent.hash(of: a) != ReplicaContent.hash(of: b))
        #expect(ReplicaContent.hash(of: a) != ReplicaContent.hash(of: c))
        #expect(ReplicaContent.hash(of: a).count == 16)
    }

    @Test func sameContentIsExactlySameHash() throws {
        let precomposed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(precomposed == decomposed)  // Swift's == takes them as equal; their bytes and hashes differ
        let objects: [JSONValue] = [
            Self.configMap(["k": "v"]),
            Self.configMap(["k": "v"], rv: "7", labels: ["team": "x"], extra: ["status": .object(["phase": "x"])]),
            Self.configMap(["k": "w"]),
            Self.configMap(["k": "v", "l": "v"]),
            Self.configMap(["k": precomposed]),
            Self.configMap(["k": decomposed]),
            Self.configMap([precomposed: "v"]),
            Self.configMap([decomposed: "v"]),
            Self.configMap(["k": "v"], extra: ["binaryData": .object(["b": "AA=="])]),
            Self.configMap(["k": "v"], extra: ["immutable": .bool(true)]),
            Self.configMap(["k": "v"], extra: ["immutable": .bool(false)]),
            Self.configMap(["k": "v"], extra: ["n": .int(1)]),
            Self.configMap(["k": "v"], extra: ["n": .double(1)]),
            Self.configMap(["k": "v"], extra: ["n": .null]),
            Self.configMap(["k": "v"], extra: ["list": .array(["a", "b"])]),
            Self.configMap(["k": "v"], extra: ["list": .array(["b", "a"])]),
            Self.configMap(["k": "v"], extra: ["list": .array(["a"])]),
            try CompactJSON.decode(Data(#"{"kind":"Secret","data":{"a":"MQ==","b":"Mg=="},"type":"Opaque"}"#.utf8)),
            try CompactJSON.decode(Data(#"{"type":"Opaque","data":{"b":"Mg==","a":"MQ=="},"kind":"Secret"}"#.utf8)),
            "not an object",
            Self.configMap(["k": "v"], extra: ["n": .double(0)]),
            Self.configMap(["k": "v"], extra: ["n": .double(-0.0)]),
        ]
        // Never the same content with another hash; the same content for every pair with one hash, but
        // where an integer and a double spell one number (then the planner hashes both).
        for (i, a) in objects.enumerated() {
            for (j, b) in objects.enumerated() where a.objectValue != nil && b.objectValue != nil {
                let sameHash = ReplicaContent.hash(of: a) == ReplicaContent.hash(of: b)
                let numbers = Set([i, j]) == [11, 12]
                #expect(ReplicaContent.sameContent(a, b) == (sameHash && !numbers), "\(a) against \(b)")
            }
        }
        #expect(ReplicaContent.sameContent(objects[0], objects[1]))
        #expect(ReplicaContent.sameContent(objects[17], objects[18]))
        #expect(!ReplicaContent.sameContent(objects[4], objects[5]))
        #expect(!ReplicaContent.sameContent(objects[6], objects[7]))
        #expect(!ReplicaContent.sameContent(objects[0], objects[8]) && !ReplicaContent.sameContent(objects[8], objects[0]))
        #expect(!ReplicaContent.sameContent("not an object", "not an object"))
        #expect(!ReplicaContent.sameContent(objects[20], objects[21]))
    }

    @Test func aFirstPassHashesEachSourceObjectOnceNotEachReplicaHoldingItsContent() {
        final class Counter { var calls = 0 }
        let counter = Counter()
        let bench = ReplicationPlanBenchmark(objects: 3, targets: 4)
        let plan = bench.plan(hash: { counter.calls += 1; return ReplicaContent.hash(of: $0) })
        #expect(plan.targets.allSatisfy { $0.inSync == 3 && $0.effects.isEmpty })
        #expect(counter.calls == 3)

        // A replica changed in its datacenter is hashed (and found not in sync).
        var targets = bench.targets
        let key = ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: "object-0")
        targets[0].objects[key]?["data"] = ["value": "changed"]
        counter.calls = 0
        let changed = planReplication(rule: bench.rule, source: "src", epoch: 1, sources: bench.sources, targets: targets, now: bench.now, hash: {
            counter.calls += 1
            return ReplicaContent.hash(of: $0)
        })
        #expect(changed.targets[0].inSync == 2)
        #expect(counter.calls > 3)
    }

    @Test func keyOrderDoesNotMatter() throws {
        let a = try CompactJSON.decode(Data(#"{"kind":"Secret","data":{"a":"MQ==","b":"Mg=="},"type":"Opaque"}"#.utf8))
        let b = try CompactJSON.decode(Data(#"{"type":"Opaque","data":{"b":"Mg==","a":"MQ=="},"kind":"Secret"}"#.utf8))
        #expect(ReplicaContent.hash(of: a) == ReplicaContent.hash(of: b))
    }

    @Test func copiesLabelsAndForeignAnnotationsOnly() {
        let source = Self.configMap([:], labels: ["scope": "global"], annotations: [
            "team": "payments", FederationAnnotation.rule: "x/y", "kubectl.kubernetes.io/last-applied-configuration": "{}",
        ])
        #expect(ReplicaContent.copiedAnnotations(of: source) == ["team": "payments"])
        #expect(ReplicaContent.copiedLabels(of: source) == ["scope": "global"])
        let replica = Self.configMap([:], labels: ["scope": "global", "added-by-member": "yes"], annotations: ["team": "payments"])
        #expect(ReplicaContent.metadataCopied(from: source, to: replica))
        #expect(!ReplicaContent.metadataCopied(from: source, to: Self.configMap([:], labels: ["scope": "local"], annotations: ["team": "payments"])))
    }

    @Test func readsTheStamp() {
        let o = Self.configMap([:], annotations: [
            FederationAnnotation.rule: "shop/r", FederationAnnotation.sourceDatacenter: "us-east", FederationAnnotation.sourceRevision: "7",
            FederationAnnotation.epoch: "3", FederationAnnotation.contentHash: "h", FederationAnnotation.hybridLogicalClock: "5.1@us-east",
            FederationAnnotation.resolution: "KeepTarget",
        ])
        let stamp = ReplicaStamp(of: o)
        #expect(stamp.rule == "shop/r")
        #expect(stamp.sourceDatacenter == "us-east")
        #expect(stamp.sourceRevision == "7")
        #expect(stamp.epoch == 3)
        #expect(stamp.contentHash == "h")
        #expect(stamp.clock == HLCTimestamp(wallMilliseconds: 5, counter: 1, datacenter: "us-east"))
        #expect(stamp.resolution == .keepTarget)
    }
}

extension ReplicaContentTests {
    @Test func memoReturnsTheSameHashesAndForgetsUnusedEntries() {
        var a = Self.configMap(["k": "v"], rv: "1")
        a["metadata"]?["uid"] = "u"
        let memo = ContentHashMemo()
        #expect(memo.hash(a) == ReplicaContent.hash(of: a))
        var edited = Self.configMap(["k": "w"], rv: "2")
        edited["metadata"]?["uid"] = "u"
        #expect(memo.hash(edited) == ReplicaContent.hash(of: edited), "a new resourceVersion is hashed again")
        memo.nextPass()
        #expect(memo.hash(edited) == ReplicaContent.hash(of: edited))
        memo.nextPass()
        memo.nextPass()
        #expect(memo.count == 0)
    }
}
