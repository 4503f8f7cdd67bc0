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
