import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// Labels, annotations and owner references are validated as kube-apiserver's `ValidateObjectMeta`
/// validates them: 422 with its field paths and messages, for built-in kinds and custom resources.
struct ObjectMetaValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var metadata: String
        var field: String
        var message: String
        var testDescription: String { metadata }
    }

    static let cases: [Case] = [
        Case(metadata: #"{"name":"m","ownerReferences":[{"kind":"Gauge","name":"g","uid":"u1"}]}"#,
             field: "metadata.ownerReferences.apiVersion", message: #"Invalid value: \"\": version must not be empty"#),
        Case(metadata: #"{"name":"m","ownerReferences":[{"apiVersion":"v1","name":"g","uid":"u1"}]}"#,
             field: "metadata.ownerReferences.kind", message: #"Invalid value: \"\": kind must not be empty"#),
        Case(metadata: #"{"name":"m","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","uid":"u1"}]}"#,
             field: "metadata.ownerReferences.name", message: #"Invalid value: \"\": name must not be empty"#),
        Case(metadata: #"{"name":"m","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"g"}]}"#,
             field: "metadata.ownerReferences.uid", message: #"Invalid value: \"\": uid must not be empty"#),
        Case(metadata: #"{"name":"m","ownerReferences":[{"apiVersion":"a/b/c","kind":"K","name":"g","uid":"u"}]}"#,
             field: "metadata.ownerReferences.apiVersion", message: "version must not be empty"),
        Case(metadata: #"{"name":"m","ownerReferences":[{"apiVersion":"v1","kind":"A","name":"a","uid":"1","controller":true},{"apiVersion":"v1","kind":"B","name":"b","uid":"2","controller":true}]}"#,
             field: "metadata.ownerReferences", message: #"Only one reference can have Controller set to true. Found \"true\" in references for A/a and B/b"#),
        Case(metadata: #"{"name":"m","labels":{"bad key!":"v"}}"#,
             field: "metadata.labels", message: "name part must consist of alphanumeric characters"),
        Case(metadata: #"{"name":"m","labels":{"tier":"-front"}}"#,
             field: "metadata.labels", message: "a valid label must be an empty string or consist of alphanumeric characters"),
        Case(metadata: #"{"name":"m","labels":{"/x":"v"}}"#,
             field: "metadata.labels", message: "prefix part must be non-empty"),
        Case(metadata: #"{"name":"m","annotations":{"a/b/c":"v"}}"#,
             field: "metadata.annotations", message: "a qualified name must consist of alphanumeric characters"),
    ]

    @Test(arguments: TestStorage.allCases, cases) func aConfigMapWithInvalidMetadataIsRefused(_ storage: TestStorage, _ c: Case) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let body = Data(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":\#(c.metadata)}"#.utf8)
            let reply = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", body: body)
            #expect(reply.status == 422, "\(reply.text)")
            #expect(reply.text.contains(#""field":"\#(c.field)""#), "\(reply.text)")
            #expect(reply.text.contains(c.message), "\(reply.text)")
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/m").status == 404)
        }
    }

    @Test(arguments: TestStorage.allCases, cases) func aCustomResourceWithInvalidMetadataIsRefused(_ storage: TestStorage, _ c: Case) async throws {
        try await NumberHandlingTests.withGauges(storage) { client in
            let body = Data(#"{"apiVersion":"example.com/v1","kind":"Gauge","metadata":\#(c.metadata),"spec":{"total":1}}"#.utf8)
            let reply = try await client.send(.POST, NumberHandlingTests.gauges, body: body)
            #expect(reply.status == 422, "\(reply.text)")
            #expect(reply.text.contains(c.message), "\(reply.text)")
        }
    }

    @Test(arguments: TestStorage.allCases) func validMetadataIsAcceptedAndPatchesAreValidatedAfterPatching(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            // The owner exists, so the garbage collector leaves the object alone while the test patches it.
            let owner = try await client.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("owner")).json
            let uid = try #require(owner.value(at: ["metadata", "uid"])?.stringValue)
            let body = Data(#"""
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ok","labels":{"app.kubernetes.io/name":"shop","empty":""},
                "annotations":{"Example.com/Note":"free text: anything goes"},
                "ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"owner","uid":"\#(uid)","controller":true}]}}
                """#.utf8)
            let created = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", body: body)
            #expect(created.status == 201, "\(created.text)")
            let patched = try await client.send(
                .PATCH, "/api/v1/namespaces/default/configmaps/ok", body: Data(#"{"metadata":{"labels":{"tier":"no spaces allowed"}}}"#.utf8),
                contentType: "application/merge-patch+json")
            #expect(patched.status == 422, "\(patched.text)")
            #expect(try await client.get("/api/v1/namespaces/default/configmaps/ok").json.value(at: ["metadata", "labels", "tier"]) == nil)
        }
    }

    @Test func annotationsBeyond256KiBAreRefused() {
        let big = JSONValue.object(["metadata": .object(["annotations": .object(["a": .string(String(repeating: "x", count: 256 * 1024))])])])
        let errors = ObjectMetaValidation.errors(big, old: nil)
        #expect(errors.map(\.message) == ["Too long: may not be more than 262144 bytes"])
        let fits = JSONValue.object(["metadata": .object(["annotations": .object(["a": .string(String(repeating: "x", count: 256 * 1024 - 1))])])])
        #expect(ObjectMetaValidation.errors(fits, old: nil).isEmpty)
    }

    @Test func unchangedInvalidMetadataOfAStoredObjectIsNotCheckedAgain() {
        let stored = JSONValue.object(["metadata": .object(["ownerReferences": .array([.object(["name": "x"])])])])
        var updated = stored
        updated.setValue(["a": "b"], at: ["metadata", "labels"])
        #expect(ObjectMetaValidation.errors(updated, old: stored).isEmpty)
        #expect(!ObjectMetaValidation.errors(updated, old: nil).isEmpty)
    }
}
