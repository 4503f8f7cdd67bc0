import FederationAPI
import FederationCore
import Foundation
import KubernetesAPI
import Testing

@testable import FederationControllers

/// A replica as a member's API server returns it: two managedFields entries with their field sets.
private func replicaFromServer() throws -> JSONValue {
    try JSONValue(
        parsing: Data(
            """
            {"apiVersion":"v1","kind":"ConfigMap","data":{"value":"x","seq":"3"},
             "metadata":{"name":"app","namespace":"shop","uid":"u-1","resourceVersion":"42","creationTimestamp":"2026-12-05T10:00:00Z",
              "labels":{"scope":"global","federation.concord.dev/residency":"eu"},
              "annotations":{"federation.concord.dev/rule":"shop/global","federation.concord.dev/content-hash":"abc","note":"kept"},
              "managedFields":[
               {"manager":"concord","operation":"Apply","apiVersion":"v1","time":"2026-12-05T10:00:05Z","fieldsType":"FieldsV1",
                "fieldsV1":{"f:data":{"f:value":{},"f:seq":{}},"f:metadata":{"f:annotations":{"f:federation.concord.dev/rule":{}}}}},
               {"manager":"kubectl-edit","operation":"Update","apiVersion":"v1","time":"2026-12-05T10:00:09Z","subresource":"status","fieldsType":"FieldsV1",
                "fieldsV1":{"f:data":{"f:seq":{}}}}]}}
            """.utf8))
}

struct MemberCacheTransformTests {
    @Test func managedFieldsKeepWhoWroteHowAndWhenButNotTheirFieldSets() throws {
        let compact = MemberCacheTransform.compact(try replicaFromServer())
        let entries = try #require(compact.value(at: ["metadata", "managedFields"])?.arrayValue)
        #expect(entries.count == 2)
        #expect(entries[0] == ["manager": "concord", "operation": "Apply", "apiVersion": "v1", "time": "2026-12-05T10:00:05Z"])
        #expect(entries[1] == ["manager": "kubectl-edit", "operation": "Update", "apiVersion": "v1", "time": "2026-12-05T10:00:09Z", "subresource": "status"])
    }

    @Test func everythingButTheFieldSetsIsUnchanged() throws {
        let original = try replicaFromServer()
        let compact = MemberCacheTransform.compact(original)
        var expected = original
        expected.setValue(compact.value(at: ["metadata", "managedFields"]), at: ["metadata", "managedFields"])
        #expect(compact == expected)
        #expect(compact.value(at: ["metadata", "labels"]) == original.value(at: ["metadata", "labels"]))
        #expect(compact.value(at: ["metadata", "annotations"]) == original.value(at: ["metadata", "annotations"]))
        #expect(compact["data"] == original["data"])
    }

    @Test func whatTheReplicationPlannerReadsIsTheSameOnTheCompactedObject() throws {
        let original = try replicaFromServer()
        let compact = MemberCacheTransform.compact(original)
        #expect(ReplicaContent.writtenAt(of: compact) == ReplicaContent.writtenAt(of: original))
        #expect(ReplicaContent.writtenAt(of: compact) != nil)
        #expect(ReplicaContent.hash(of: compact) == ReplicaContent.hash(of: original))
        #expect(ReplicaStamp(of: compact) == ReplicaStamp(of: original))
        for manager in ["concord", "kubectl-edit"] {
            #expect(
                ReplicaEcho.isOwnWrite(compact, rule: "shop/global", fieldManager: manager, hash: { _ in "abc" })
                    == ReplicaEcho.isOwnWrite(original, rule: "shop/global", fieldManager: manager, hash: { _ in "abc" }))
        }
        #expect(ReplicaEcho.isOwnWrite(compact, rule: "shop/global", fieldManager: "kubectl-edit", hash: { _ in "abc" }))
    }

    @Test func objectsWrittenByTheSameWritersInTheSameSecondShareOneWriterListAndEqualLabelsOneMap() throws {
        let first = MemberCacheTransform.compact(try replicaFromServer())
        var other = try replicaFromServer()
        other.setValue("other", at: ["metadata", "name"])
        other.setValue("u-2", at: ["metadata", "uid"])
        let second = MemberCacheTransform.compact(other)
        #expect(try storage(second.value(at: ["metadata", "managedFields"])) == storage(first.value(at: ["metadata", "managedFields"])))
        #expect(second.value(at: ["metadata", "name"]) == "other")
        #expect(try storage(second.value(at: ["metadata", "labels"])) == storage(first.value(at: ["metadata", "labels"])))
        other.setValue(["scope": "local"], at: ["metadata", "labels"])
        #expect(MemberCacheTransform.compact(other).value(at: ["metadata", "labels"]) == ["scope": "local"])

        // A write in another second is another list, with its own time.
        var entries = try #require(other.value(at: ["metadata", "managedFields"])?.arrayValue)
        entries[1]["time"] = "2026-12-05T10:00:10Z"
        other.setValue(.array(entries), at: ["metadata", "managedFields"])
        let later = MemberCacheTransform.compact(other)
        #expect(try storage(later.value(at: ["metadata", "managedFields"])) != storage(first.value(at: ["metadata", "managedFields"])))
        #expect(later.value(at: ["metadata", "managedFields"])?.arrayValue?[1]["time"] == "2026-12-05T10:00:10Z")
        #expect(ReplicaContent.writtenAt(of: later) == ReplicaContent.writtenAt(of: other))
    }

    @Test func objectsWithoutMetadataOrManagedFieldsPassThrough() {
        let bare: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "data": ["a": "b"]]
        #expect(MemberCacheTransform.compact(bare) == bare)
        let plain: JSONValue = ["metadata": ["name": "x", "annotations": ["federation.concord.dev/epoch": "3"]]]
        #expect(MemberCacheTransform.compact(plain) == plain)
        #expect(MemberCacheTransform.compact("text") == "text")
    }

    @Test func kubectlsApplyRecordIsDroppedAndOtherAnnotationsKept() {
        let applied: JSONValue = [
            "metadata": ["name": "x", "annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{}}", "note": "kept"]],
            "data": ["a": "b"],
        ]
        let compact = MemberCacheTransform.compact(applied)
        #expect(compact.value(at: ["metadata", "annotations"]) == ["note": "kept"])
        #expect(compact["data"] == ["a": "b"])
    }

    @Test func aCopyHoldsTheFieldsEqualToItsSourcesInTheSourcesStorage() throws {
        let source = MemberCacheTransform.compact([
            "metadata": ["name": "app", "labels": ["scope": "global"]], "data": ["value": "x", "seq": "3"], "binaryData": ["b": "AA=="],
        ])
        let replica: JSONValue = [
            "metadata": ["name": "app", "labels": ["scope": "global"], "annotations": ["federation.concord.dev/source-datacenter": "us-east"]],
            "data": ["value": "x", "seq": "3"], "binaryData": ["b": "changed"], "status": ["x": "y"],
        ]
        var asked: [String] = []
        let compact = MemberCacheTransform.compact(replica) { datacenter, name in
            asked.append("\(datacenter)/\(name)")
            return datacenter == "us-east" && name == "app" ? source : nil
        }
        #expect(asked == ["us-east/app"])
        #expect(compact == MemberCacheTransform.compact(replica))
        #expect(try storage(compact["data"]) == storage(source["data"]))
        #expect(try storage(compact["metadata"]?["labels"]) == storage(source["metadata"]?["labels"]))
        #expect(try storage(compact["binaryData"]) != storage(source["binaryData"]))
        #expect(compact["binaryData"] == ["b": "changed"])
    }

    @Test func onlyStampedCopiesAreMatchedWithASource() {
        var asked = 0
        _ = MemberCacheTransform.compact(["metadata": ["name": "app"], "data": ["a": "b"]]) { _, _ in
            asked += 1
            return nil
        }
        #expect(asked == 0)
    }

    /// The address of the storage of `value` (an object or an array): equal for two values sharing one storage.
    private func storage(_ value: JSONValue?) throws -> Int {
        if let elements = value?.arrayValue { return unsafeBitCast(elements, to: Int.self) }
        let fields = try #require(value?.objectValue)
        return unsafeBitCast(fields, to: Int.self)
    }
}
