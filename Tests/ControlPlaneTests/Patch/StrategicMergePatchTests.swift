import ControlPlane
import KubernetesAPI
import Testing

@Suite("Strategic merge patch")
struct StrategicMergePatchTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var kind: String
        var original: JSONValue
        var patch: JSONValue
        var expected: JSONValue
        var testDescription: String { name }
    }

    static func deployment(containers: JSONValue) -> JSONValue {
        ["spec": ["template": ["spec": ["containers": containers]]]]
    }

    static let cases: [Case] = [
        Case(name: "ConfigMap: maps merge and null deletes, like a merge patch", kind: "ConfigMap",
             original: ["data": ["a": "1", "b": "2"], "metadata": ["name": "cm", "annotations": ["x": "1"]]],
             patch: ["data": ["b": nil, "c": "3"], "metadata": ["annotations": ["y": "2"]]],
             expected: ["data": ["a": "1", "c": "3"], "metadata": ["name": "cm", "annotations": ["x": "1", "y": "2"]]]),
        Case(name: "member names starting with $ that are not directives are data", kind: "ConfigMap",
             original: ["data": ["a": "1"]], patch: ["data": ["$weird": "2"]], expected: ["data": ["a": "1", "$weird": "2"]]),
        Case(name: "$patch: replace replaces a map", kind: "ConfigMap",
             original: ["data": ["a": "1", "b": "2"]], patch: ["data": ["$patch": "replace", "c": "3"]], expected: ["data": ["c": "3"]]),
        Case(name: "$patch: delete removes a map", kind: "Secret",
             original: ["data": ["a": "MQ=="], "type": "Opaque"], patch: ["data": ["$patch": "delete"]], expected: ["type": "Opaque"]),
        Case(name: "$patch: merge is the default", kind: "ConfigMap",
             original: ["data": ["a": "1"]], patch: ["data": ["$patch": "merge", "b": "2"]], expected: ["data": ["a": "1", "b": "2"]]),
        Case(name: "$retainKeys clears members not listed", kind: "Deployment",
             original: ["spec": ["strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": 1]]]],
             patch: ["spec": ["strategy": ["$retainKeys": ["type"], "type": "Recreate"]]],
             expected: ["spec": ["strategy": ["type": "Recreate"]]]),
        Case(name: "finalizers merge as a set", kind: "ConfigMap",
             original: ["metadata": ["finalizers": ["a", "b"]]], patch: ["metadata": ["finalizers": ["b", "c"]]],
             expected: ["metadata": ["finalizers": ["a", "b", "c"]]]),
        Case(name: "$deleteFromPrimitiveList removes set members", kind: "Namespace",
             original: ["metadata": ["finalizers": ["a", "b", "c"]]],
             patch: ["metadata": ["$deleteFromPrimitiveList/finalizers": ["a", "c"]]],
             expected: ["metadata": ["finalizers": ["b"]]]),
        Case(name: "$deleteFromPrimitiveList together with additions", kind: "ConfigMap",
             original: ["metadata": ["finalizers": ["a"]]],
             patch: ["metadata": ["finalizers": ["z"], "$deleteFromPrimitiveList/finalizers": ["a"]]],
             expected: ["metadata": ["finalizers": ["z"]]]),
        Case(name: "$setElementOrder orders a primitive set", kind: "ConfigMap",
             original: ["metadata": ["finalizers": ["a", "b"]]],
             patch: ["metadata": ["$setElementOrder/finalizers": ["c", "b", "a"], "finalizers": ["c"]]],
             expected: ["metadata": ["finalizers": ["c", "b", "a"]]]),
        Case(name: "lists without a strategy are replaced", kind: "Namespace",
             original: ["spec": ["finalizers": ["kubernetes", "x"]]], patch: ["spec": ["finalizers": ["y"]]],
             expected: ["spec": ["finalizers": ["y"]]]),
        Case(name: "ownerReferences merge by uid", kind: "ConfigMap",
             original: ["metadata": ["ownerReferences": [["uid": "1", "name": "a"], ["uid": "2", "name": "b"]]]],
             patch: ["metadata": ["ownerReferences": [["uid": "2", "name": "b2"], ["uid": "3", "name": "c"]]]],
             expected: ["metadata": ["ownerReferences": [["uid": "1", "name": "a"], ["uid": "2", "name": "b2"], ["uid": "3", "name": "c"]]]]),
        Case(name: "Service ports merge by port", kind: "Service",
             original: ["spec": ["ports": [["port": 80, "name": "http"], ["port": 443, "name": "https"]]]],
             patch: ["spec": ["ports": [["port": 443, "targetPort": 8443]]]],
             expected: ["spec": ["ports": [["port": 80, "name": "http"], ["port": 443, "name": "https", "targetPort": 8443]]]]),
        Case(name: "containers merge by name, new ones appended", kind: "Deployment",
             original: deployment(containers: [["name": "a", "image": "a:1"], ["name": "b", "image": "b:1"]]),
             patch: deployment(containers: [["name": "b", "image": "b:2"], ["name": "c", "image": "c:1"]]),
             expected: deployment(containers: [["name": "a", "image": "a:1"], ["name": "b", "image": "b:2"], ["name": "c", "image": "c:1"]])),
        Case(name: "$patch: delete removes a keyed element", kind: "Deployment",
             original: deployment(containers: [["name": "a"], ["name": "b"]]),
             patch: deployment(containers: [["name": "a", "$patch": "delete"]]),
             expected: deployment(containers: [["name": "b"]])),
        Case(name: "a {$patch: replace} element replaces the list", kind: "Deployment",
             original: deployment(containers: [["name": "a"], ["name": "b"]]),
             patch: deployment(containers: [["$patch": "replace"], ["name": "z", "image": "z:1"]]),
             expected: deployment(containers: [["name": "z", "image": "z:1"]])),
        Case(name: "env merges by name inside a container", kind: "Deployment",
             original: deployment(containers: [["name": "a", "env": [["name": "X", "value": "1"], ["name": "Y", "value": "1"]]]]),
             patch: deployment(containers: [["name": "a", "env": [["name": "Y", "value": "2"], ["name": "Z", "value": "3"]]]]),
             expected: deployment(containers: [["name": "a", "env": [
                ["name": "X", "value": "1"], ["name": "Y", "value": "2"], ["name": "Z", "value": "3"],
             ]]])),
        Case(name: "$setElementOrder orders keyed elements", kind: "Deployment",
             original: deployment(containers: [["name": "a", "image": "1"], ["name": "b", "image": "1"]]),
             patch: ["spec": ["template": ["spec": [
                "$setElementOrder/containers": [["name": "b"], ["name": "a"]],
                "containers": [["name": "a", "image": "2"]],
             ]]]],
             expected: deployment(containers: [["name": "b", "image": "1"], ["name": "a", "image": "2"]])),
        Case(name: "$setElementOrder keeps server-only elements where they were", kind: "Deployment",
             original: deployment(containers: [["name": "a"], ["name": "s"], ["name": "b"]]),
             patch: ["spec": ["template": ["spec": ["$setElementOrder/containers": [["name": "a"], ["name": "b"]]]]]],
             expected: deployment(containers: [["name": "a"], ["name": "s"], ["name": "b"]])),
        Case(name: "status conditions merge by type", kind: "Deployment",
             original: ["status": ["conditions": [["type": "Available", "status": "False"], ["type": "Progressing", "status": "True"]]]],
             patch: ["status": ["conditions": [["type": "Available", "status": "True"]]]],
             expected: ["status": ["conditions": [["type": "Available", "status": "True"], ["type": "Progressing", "status": "True"]]]]),
        Case(name: "tolerations (no strategy) are replaced", kind: "Deployment",
             original: ["spec": ["template": ["spec": ["tolerations": [["key": "a"]]]]]],
             patch: ["spec": ["template": ["spec": ["tolerations": [["key": "b"]]]]]],
             expected: ["spec": ["template": ["spec": ["tolerations": [["key": "b"]]]]]]),
        Case(name: "kubectl client-side apply of a ConfigMap", kind: "ConfigMap",
             original: ["apiVersion": "v1", "kind": "ConfigMap", "data": ["a": "1", "b": "2"],
                        "metadata": ["name": "cm", "annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{old}\n"]]],
             patch: ["data": ["b": nil, "c": "3"],
                     "metadata": ["annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{new}\n"]]],
             expected: ["apiVersion": "v1", "kind": "ConfigMap", "data": ["a": "1", "c": "3"],
                        "metadata": ["name": "cm", "annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{new}\n"]]]),
    ]

    @Test(arguments: cases)
    func applies(_ testCase: Case) throws {
        let result = try StrategicMergePatch.apply(
            testCase.patch, to: testCase.original, schema: .forKind(testCase.kind))
        #expect(result == testCase.expected)
    }

    struct Failure: CustomTestStringConvertible, Sendable {
        var name: String
        var kind: String
        var original: JSONValue
        var patch: JSONValue
        var error: PatchError
        var testDescription: String { name }
    }

    static let failures: [Failure] = [
        Failure(name: "a patch that is not an object", kind: "ConfigMap", original: [:], patch: [1],
                error: PatchError(.badRequest, "a strategic merge patch must be a JSON object, not array")),
        Failure(name: "unknown $patch", kind: "ConfigMap", original: [:], patch: ["data": ["$patch": "explode"]],
                error: PatchError(.badRequest, "unknown patch type \"explode\" in \"$patch\" at data")),
        Failure(name: "deleting the whole object", kind: "ConfigMap", original: ["a": 1], patch: ["$patch": "delete"],
                error: PatchError(.badRequest, "\"$patch\": \"delete\" cannot delete the whole object; use DELETE")),
        Failure(name: "element without its merge key", kind: "Deployment", original: deployment(containers: []),
                patch: deployment(containers: [["image": "x"]]),
                error: PatchError(.unprocessable, "an element of spec.template.spec.containers does not contain the merge key \"name\"")),
        Failure(name: "patch members outside $retainKeys", kind: "Deployment", original: [:],
                patch: ["spec": ["strategy": ["$retainKeys": ["type"], "rollingUpdate": [:]]]],
                error: PatchError(.unprocessable, "the patch content does not match the \"$retainKeys\" list at spec.strategy: \"rollingUpdate\" is not retained")),
        Failure(name: "objects in a primitive set", kind: "ConfigMap", original: [:], patch: ["metadata": ["finalizers": [["a": 1]]]],
                error: PatchError(.badRequest, "the list at metadata.finalizers holds primitive values, not objects")),
        Failure(name: "$retainKeys that is not a list of strings", kind: "ConfigMap", original: [:], patch: ["data": ["$retainKeys": "a"]],
                error: PatchError(.badRequest, "\"$retainKeys\" at data must be a list of strings")),
    ]

    @Test(arguments: failures)
    func rejects(_ failure: Failure) {
        #expect(throws: failure.error) {
            try StrategicMergePatch.apply(failure.patch, to: failure.original, schema: .forKind(failure.kind))
        }
    }

    @Test func kindsWithoutListsOfTheirOwnUseObjectMetaRules() {
        #expect(StrategicMergeSchema.forKind("ConfigMap") == .objectMeta)
        #expect(StrategicMergeSchema.forKind("Secret").strategy(at: ["metadata", "finalizers"]) == .mergePrimitives)
        #expect(StrategicMergeSchema.forKind("Deployment").strategy(at: ["spec", "template", "spec", "containers", "ports"]) == .mergeByKey("containerPort"))
        #expect(StrategicMergeSchema.forKind("Pod").strategy(at: ["spec", "initContainers", "env"]) == .mergeByKey("name"))
        #expect(StrategicMergeSchema.forKind("Deployment").strategy(at: ["spec", "template", "metadata", "finalizers"]) == .mergePrimitives)
    }

    @Test func aSchemaIsExtendedByMergingATable() throws {
        let schema = StrategicMergeSchema.objectMeta.merging(StrategicMergeSchema(lists: ["spec.items": .mergeByKey("id")]))
        let result = try StrategicMergePatch.apply(
            ["spec": ["items": [["id": 2, "v": "b"]]]], to: ["spec": ["items": [["id": 1, "v": "a"]]]], schema: schema)
        #expect(result == ["spec": ["items": [["id": 1, "v": "a"], ["id": 2, "v": "b"]]]])
    }
}
