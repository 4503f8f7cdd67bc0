import ConcordTesting
import FederationAPI
import Foundation
import Testing

@testable import ControlPlane

/// Numbers in built-in kinds, which kube-apiserver decodes into Go structs: only an integer literal in the
/// field's range decodes into an `int32`; anything else is a 400 on POST/PUT and a 422 on `patch` for merge and
/// JSON patches, while strategic merge accepts whole floats.
struct BuiltinNumberTests {
    static let deployments = "/apis/apps/v1/namespaces/default/deployments"

    static func deployment(_ name: String, replicas: String) -> Data {
        let spec = #"{"replicas":\#(replicas),"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"a"}}}}"#
        return Data(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\#(name)"},"spec":\#(spec)}"#.utf8)
    }

    @Test(arguments: TestStorage.allCases, [
        ("1e3", "number 1000"), ("1.0", "number 1"), ("1.5", "number 1.5"), ("2147483648", "number 2147483648"),
        ("9223372036854775808", "number 9223372036854776000"), (#""3""#, "string"), ("true", "bool"),
    ])
    func createRefusesWhatGoCannotDecode(_ storage: TestStorage, _ number: (String, String)) async throws {
        let (replicas, what) = number
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane).send(.POST, Self.deployments, body: Self.deployment("d", replicas: replicas))
            #expect(reply.status == 400)
            #expect(reply.json["reason"] == "BadRequest")
            let prefix = #"Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal "#
            #expect(reply.json["message"] == .string(prefix + "\(what) into Go struct field DeploymentSpec.spec.replicas of type int32"))
        }
    }

    @Test(arguments: TestStorage.allCases) func int32BoundsAndServicePorts(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            #expect(try await client.send(.POST, Self.deployments, body: Self.deployment("edge", replicas: "2147483647")).status == 201)
            let service = #"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":4294967376}]}}"#
            let reply = try await client.send(.POST, "/api/v1/namespaces/default/services", body: Data(service.utf8))
            #expect(reply.status == 400)
            #expect(reply.json["message"]?.stringValue?.hasSuffix("Go struct field ServicePort.spec.ports.port of type int32") == true, "\(reply.text)")
        }
    }

    @Test(arguments: TestStorage.allCases) func patchesAreCheckedAfterPatching(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try #require(try await client.send(.POST, Self.deployments, body: Self.deployment("d", replicas: "2")).status == 201)
            let merge = try await client.send(
                .PATCH, Self.deployments + "/d", body: Data(#"{"spec":{"replicas":1e3}}"#.utf8), contentType: "application/merge-patch+json")
            #expect(merge.status == 422)
            let cause = merge.json.value(at: ["details", "causes"])?.arrayValue?.first
            #expect(cause?["field"] == "patch")
            #expect(cause?["message"]?.stringValue?.hasSuffix("Go struct field DeploymentSpec.spec.replicas of type int32") == true, "\(merge.text)")
            let strategic = try await client.send(
                .PATCH, Self.deployments + "/d", body: Data(#"{"spec":{"replicas":1e1}}"#.utf8),
                contentType: "application/strategic-merge-patch+json")
            #expect(strategic.status == 200, "\(strategic.text)")
            #expect(strategic.text.contains(#""replicas":10"#))
            let fraction = try await client.send(
                .PATCH, Self.deployments + "/d", body: Data(#"{"spec":{"replicas":1.5}}"#.utf8),
                contentType: "application/strategic-merge-patch+json")
            #expect(fraction.status == 422)
            let overflow = try await client.send(
                .PATCH, Self.deployments + "/d", body: Data(#"[{"op":"replace","path":"/spec/replicas","value":2147483648}]"#.utf8),
                contentType: "application/json-patch+json")
            #expect(overflow.status == 422)
            #expect(try await client.get(Self.deployments + "/d").json.value(at: ["spec", "replicas"]) == .int(10))
        }
    }

    @Test(arguments: TestStorage.allCases) func scaleTakesOnlyAnInt32(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try #require(try await client.send(.POST, Self.deployments, body: Self.deployment("d", replicas: "2")).status == 201)
            for replicas in ["1e3", "2147483648", "1.5"] {
                let reply = try await client.send(
                    .PATCH, Self.deployments + "/d/scale", body: Data(#"{"spec":{"replicas":\#(replicas)}}"#.utf8),
                    contentType: "application/merge-patch+json")
                #expect(reply.status == 422, "\(replicas): \(reply.text)")
            }
            #expect(try await client.get(Self.deployments + "/d").json.value(at: ["spec", "replicas"]) == .int(2))
        }
    }

    @Test(arguments: TestStorage.allCases) func yamlBodiesConvertWholeFloatsFirst(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let yaml = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: y\nspec:\n  replicas: 3.0\n  selector: {matchLabels: {app: a}}\n"
            let reply = try await APIClient(plane).send(.POST, Self.deployments, body: Data(yaml.utf8), contentType: "application/yaml")
            #expect(reply.status == 201, "\(reply.text)")
            #expect(reply.json.value(at: ["spec", "replicas"]) == .int(3))
        }
    }
}
