import ConcordTesting
import Foundation
import Testing

@testable import ControlPlane

/// `metadata` with wrong JSON types is refused for custom resources and built-in kinds alike, as
/// kube-apiserver's decoding into ObjectMeta refuses it, so nothing stored is undecodable.
struct MetadataTypesTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var metadata: String
        var message: String
        var testDescription: String { metadata }
    }

    static let cases: [Case] = [
        Case(metadata: #"{"name":"m","labels":"a=b"}"#, message: "cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type map[string]string"),
        Case(metadata: #"{"name":"m","labels":{"tier":5}}"#, message: "cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"),
        Case(metadata: #"{"name":"m","annotations":["x"]}"#, message: "cannot unmarshal array into Go struct field ObjectMeta.metadata.annotations of type map[string]string"),
        Case(metadata: #"{"name":"m","finalizers":[5]}"#, message: "cannot unmarshal number into Go struct field ObjectMeta.metadata.finalizers of type string"),
        Case(metadata: #"{"name":"m","ownerReferences":"x"}"#, message: "cannot unmarshal string into Go struct field ObjectMeta.metadata.ownerReferences of type []v1.OwnerReference"),
        Case(metadata: #"{"name":"m","generateName":7}"#, message: "cannot unmarshal number into Go struct field ObjectMeta.metadata.generateName of type string"),
    ]

    @Test(arguments: TestStorage.allCases, cases) func aCustomResourceWithMistypedMetadataIsRefused(_ storage: TestStorage, _ c: Case) async throws {
        try await NumberHandlingTests.withGauges(storage) { client in
            let body = Data(#"{"apiVersion":"example.com/v1","kind":"Gauge","metadata":\#(c.metadata),"spec":{"total":1}}"#.utf8)
            let reply = try await client.send(.POST, NumberHandlingTests.gauges, body: body)
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.text.contains(#"Gauge in version \"v1\" cannot be handled as a Gauge: json: "# + c.message), "\(reply.text)")
            #expect(try await client.get(NumberHandlingTests.gauges + "/m").status == 404)
        }
    }

    @Test(arguments: TestStorage.allCases, cases) func aConfigMapWithMistypedMetadataIsRefused(_ storage: TestStorage, _ c: Case) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let body = Data(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":\#(c.metadata)}"#.utf8)
            let reply = try await client.send(.POST, "/api/v1/namespaces/default/configmaps", body: body)
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.text.contains(c.message), "\(reply.text)")
        }
    }

    @Test(arguments: TestStorage.allCases) func aMergePatchThatMistypesLabelsIsRefusedAndWellTypedMetadataPasses(_ storage: TestStorage) async throws {
        try await NumberHandlingTests.withGauges(storage) { client in
            let created = try await client.send(
                .POST, NumberHandlingTests.gauges,
                body: Data(#"{"apiVersion":"example.com/v1","kind":"Gauge","metadata":{"name":"p","labels":{"a":"b"},"finalizers":["x/y"]},"spec":{"total":1}}"#.utf8))
            #expect(created.status == 201, "\(created.text)")
            let patched = try await client.send(
                .PATCH, NumberHandlingTests.gauges + "/p", body: Data(#"{"metadata":{"labels":{"a":1}}}"#.utf8),
                contentType: "application/merge-patch+json")
            #expect(patched.status == 400, "\(patched.text)")
            #expect(try await client.get(NumberHandlingTests.gauges + "/p").json.value(at: ["metadata", "labels", "a"]) == "b")
        }
    }
}
