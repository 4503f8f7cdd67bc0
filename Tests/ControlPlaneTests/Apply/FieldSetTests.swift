import KubernetesAPI
import Testing

@testable import ControlPlane

struct FieldSetTests {
    static let conditionsSchema: JSONValue = [
        "type": "object",
        "properties": [
            "spec": [
                "type": "object",
                "properties": [
                    "size": ["type": "integer"],
                    "tags": ["type": "array", "items": ["type": "string"], "x-kubernetes-list-type": "set"],
                    "ports": ["type": "array", "items": ["type": "object"]],
                ],
            ],
            "status": [
                "type": "object",
                "properties": [
                    "conditions": [
                        "type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"],
                        "items": ["type": "object", "properties": ["type": ["type": "string"], "status": ["type": "string"]]],
                    ]
                ],
            ],
        ],
    ]

    static func definition(schema: JSONValue?, custom: Bool = true, kind: String = "Widget", status: Bool = false) -> ResourceDefinition {
        ResourceDefinition(
            group: custom ? "example.com" : "", version: "v1", kind: kind, plural: kind.lowercased() + "s", singular: kind.lowercased(),
            listKind: kind + "List", namespaced: true, hasStatusSubresource: status, isCustom: custom, schema: schema)
    }

    @Test func membersUseFieldKeyAndValueElementsWithDotForMapEntries() throws {
        let scope = FieldScope(definition: Self.definition(schema: Self.conditionsSchema), subresource: nil)
        let object: JSONValue = [
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": ["name": "w", "namespace": "default", "labels": ["app": "demo"], "resourceVersion": "5"],
            "spec": ["size": 3, "tags": ["a", "b"], "ports": [1, 2]],
            "status": ["conditions": [["type": "Ready", "status": "True"]]],
        ]
        let expected: JSONValue = [
            "f:metadata": ["f:labels": [".": [:], "f:app": [:]]],
            "f:spec": ["f:size": [:], "f:tags": [#"v:"a""#: [:], #"v:"b""#: [:]], "f:ports": [:]],
            "f:status": ["f:conditions": [#"k:{"type":"Ready"}"#: [".": [:], "f:type": [:], "f:status": [:]]]],
        ]
        #expect(scope.fieldSet(of: object).fieldsV1 == expected)
    }

    @Test func fieldsV1RoundTrips() throws {
        let fieldsV1: JSONValue = [
            "f:metadata": ["f:annotations": [".": [:], "f:a": [:]]],
            "f:status": ["f:conditions": [#"k:{"type":"Ready"}"#: [".": [:], "f:status": [:]]]],
            "f:spec": ["f:tags": [#"v:"x""#: [:]], "f:list": ["i:0": [:]]],
        ]
        let set = try FieldSet(fieldsV1: fieldsV1)
        #expect(set.count == 6)
        #expect(set.contains([.field("metadata"), .field("annotations")]))
        #expect(set.contains([.field("status"), .field("conditions"), .key(["type": "Ready"])]))
        #expect(set.fieldsV1 == fieldsV1)
    }

    @Test func malformedFieldsV1IsAnError() {
        #expect(throws: FieldSetError.self) { try FieldSet(fieldsV1: ["x:bad": [:]]) }
        #expect(throws: FieldSetError.self) { try FieldSet(fieldsV1: ["f:a": 1]) }
    }

    @Test(arguments: [
        ([PathElement.field("spec"), .field("size")], ".spec.size"),
        ([PathElement.field("status"), .field("conditions"), .key(["type": "Ready"]), .field("status")], #".status.conditions[type="Ready"].status"#),
        ([PathElement.field("metadata"), .field("finalizers"), .value("x")], #".metadata.finalizers[="x"]"#),
        ([PathElement.field("spec"), .field("items"), .index(2)], ".spec.items[2]"),
    ])
    func pathsRenderLikeKubeApiserver(path: [PathElement], rendered: String) {
        #expect(path.rendered == rendered)
    }

    @Test func builtinMergeKeysMakeListMapsAndMergedPrimitivesSets() {
        let scope = FieldScope(definition: Self.definition(schema: nil, custom: false, kind: "Deployment"), subresource: nil)
        let object: JSONValue = [
            "metadata": ["finalizers": ["f1"]],
            "spec": ["template": ["spec": ["containers": [["name": "app", "image": "nginx", "args": ["a"]]]]]],
        ]
        let set = scope.fieldSet(of: object)
        #expect(set.contains([.field("metadata"), .field("finalizers"), .value("f1")]))
        let container: ManagedPath = [.field("spec"), .field("template"), .field("spec"), .field("containers"), .key(["name": "app"])]
        #expect(set.contains(container))
        #expect(set.contains(container + [.field("image")]))
        #expect(set.contains(container + [.field("args")]))
        #expect(!set.contains([.field("spec")]))
    }

    @Test func statusScopeCoversOnlyStatusAndMainScopeSkipsIt() {
        let definition = Self.definition(schema: Self.conditionsSchema, status: true)
        let object: JSONValue = ["spec": ["size": 1], "status": ["conditions": [["type": "Ready", "status": "True"]]]]
        let main = FieldScope(definition: definition, subresource: nil).fieldSet(of: object)
        let status = FieldScope(definition: definition, subresource: "status").fieldSet(of: object)
        #expect(main == FieldSet([[.field("spec"), .field("size")]]))
        #expect(status.count == 3)
        #expect(status.paths.allSatisfy { $0.first == .field("status") })
    }

    @Test func builtinPortsAreKeyedByNumberAndProtocolWithTCPAsDefault() {
        let scope = FieldScope(definition: Self.definition(schema: nil, custom: false, kind: "Service"), subresource: nil)
        let set = scope.fieldSet(of: ["spec": ["ports": [["port": 80], ["port": 53, "protocol": "UDP"]]]])
        #expect(set.contains([.field("spec"), .field("ports"), .key(["port": 80, "protocol": "TCP"])]))
        #expect(set.contains([.field("spec"), .field("ports"), .key(["port": 53, "protocol": "UDP"])]))
        #expect(PathElement.key(["port": 80, "protocol": "TCP"]).encoded == #"k:{"port":80,"protocol":"TCP"}"#)
    }
}
