import ConcordTesting
import FederationAPI
import Foundation
import Testing

@testable import ControlPlane

/// Numbers over HTTP: every write path (POST, PUT, /status, merge, JSON and apply patches, YAML bodies) refuses
/// what kube-apiserver refuses, and what is stored is served back with the same integers.
struct NumberHandlingTests {
    static let gauges = "/apis/example.com/v1/namespaces/default/gauges"

    static let crd: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "gauges.example.com"],
        "spec": [
            "group": "example.com", "scope": "Namespaced",
            "names": ["plural": "gauges", "singular": "gauge", "kind": "Gauge"],
            "versions": [[
                "name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
                "schema": ["openAPIV3Schema": NumberValidationTests.schema.merging(status: Self.statusSchema)],
            ]],
        ],
    ]

    static let statusSchema: JSONValue = ["type": "object", "properties": ["seen": ["type": "integer", "format": "int64"]]]

    static func withGauges(_ storage: TestStorage, _ body: (APIClient) async throws -> Void) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let installed = try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Self.crd)
            try #require(installed.status == 201, "\(installed.text)")
            try await body(client)
        }
    }

    static func gauge(_ name: String, spec: String) -> Data {
        Data(#"{"apiVersion":"example.com/v1","kind":"Gauge","metadata":{"name":"\#(name)"},"spec":\#(spec)}"#.utf8)
    }

    /// Creates the Gauge `p` with `total: 1`, then patches it.
    static func patchGauge(_ client: APIClient, _ type: String, _ patch: String) async throws -> APIClient.Reply {
        try #require(try await client.send(.POST, Self.gauges, body: Self.gauge("p", spec: #"{"total":1}"#)).status == 201)
        let path = Self.gauges + "/p" + (type.contains("apply") ? "?fieldManager=test&force=true" : "")
        return try await client.send(.PATCH, path, body: Data(patch.utf8), contentType: type)
    }

    /// The one cause of a 422, as `field: message`.
    static func cause(_ reply: APIClient.Reply) -> String {
        let causes = reply.json.value(at: ["details", "causes"])?.arrayValue ?? []
        return causes.map { "\($0["field"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")" }.joined(separator: "; ")
    }

    @Test(arguments: TestStorage.allCases) func createRefusesAnIntegerBeyondInt64NamingTheField(_ storage: TestStorage) async throws {
        try await Self.withGauges(storage) { client in
            let reply = try await client.send(.POST, Self.gauges, body: Self.gauge("big", spec: #"{"total":9223372036854775808}"#))
            #expect(reply.status == 422)
            #expect(reply.json["reason"] == "Invalid")
            #expect(Self.cause(reply) == #"spec.total: Invalid value: "number": spec.total in body must be of type integer: "number""#)
            #expect(reply.json["message"]?.stringValue?.hasPrefix(#"Gauge.example.com "big" is invalid: spec.total: Invalid value: "number""#) == true)
            #expect(try await client.get(Self.gauges + "/big").status == 404)
        }
    }

    @Test(arguments: TestStorage.allCases) func storedIntegersAreServedBackExactlyWhenGotAndListed(_ storage: TestStorage) async throws {
        try await Self.withGauges(storage) { client in
            let spec = #"{"count":1.0,"list":[2e0,3],"plain":1e3,"port":8e1,"ratio":0.25,"total":9223372036854775807}"#
            let created = try await client.send(.POST, Self.gauges, body: Self.gauge("exact", spec: spec))
            try #require(created.status == 201, "\(created.text)")
            let expected = #""spec":{"count":1,"list":[2,3],"plain":1000,"port":80,"ratio":0.25,"total":9223372036854775807}"#
            #expect(created.text.contains(expected))
            #expect(try await client.get(Self.gauges + "/exact").text.contains(expected))
            #expect(try await client.get(Self.gauges).text.contains(expected))
        }
    }

    @Test(arguments: TestStorage.allCases) func int32BoundsAreEnforced(_ storage: TestStorage) async throws {
        try await Self.withGauges(storage) { client in
            let over = try await client.send(.POST, Self.gauges, body: Self.gauge("over", spec: #"{"count":2147483648}"#))
            #expect(over.status == 422)
            #expect(Self.cause(over) == "spec.count: Invalid value: 2147483648: Checked value must be of type integer with format int32 in spec.count")
            let edge = try await client.send(.POST, Self.gauges, body: Self.gauge("edge", spec: #"{"count":2147483647}"#))
            #expect(edge.status == 201)
        }
    }

    @Test(arguments: TestStorage.allCases) func updateAndStatusWritesAreValidatedTheSameWay(_ storage: TestStorage) async throws {
        try await Self.withGauges(storage) { client in
            let created = try await client.send(.POST, Self.gauges, body: Self.gauge("g", spec: #"{"count":1}"#))
            try #require(created.status == 201)
            let rv = created.json.value(at: ["metadata", "resourceVersion"])?.stringValue ?? ""
            let metadata = #"{"name":"g","resourceVersion":"\#(rv)"}"#
            let body = #"{"apiVersion":"example.com/v1","kind":"Gauge","metadata":\#(metadata),"spec":{"count":1},"status":{"seen":%@}}"#
            let badStatus = try await client.send(
                .PUT, Self.gauges + "/g/status", body: Data(body.replacingOccurrences(of: "%@", with: "18446744073709551615").utf8))
            #expect(badStatus.status == 422)
            #expect(Self.cause(badStatus).hasPrefix("status.seen: Invalid value: \"number\""))
            let badSpec = try await client.send(
                .PUT, Self.gauges + "/g",
                body: Data(body.replacingOccurrences(of: "%@", with: "0").replacingOccurrences(of: #""count":1"#, with: #""count":1.5"#).utf8))
            #expect(badSpec.status == 422)
            #expect(Self.cause(badSpec).hasPrefix("spec.count: Invalid value: \"number\""))
            let good = try await client.send(
                .PUT, Self.gauges + "/g/status", body: Data(body.replacingOccurrences(of: "%@", with: "4e2").utf8))
            #expect(good.status == 200)
            #expect(good.text.contains(#""status":{"seen":400}"#))
        }
    }

    @Test(arguments: TestStorage.allCases, [
        ("application/merge-patch+json", #"{"spec":{"total":9223372036854775808}}"#),
        ("application/json-patch+json", #"[{"op":"replace","path":"/spec/total","value":9223372036854775808}]"#),
        ("application/apply-patch+yaml", "apiVersion: example.com/v1\nkind: Gauge\nmetadata:\n  name: p\nspec:\n  total: 9223372036854775808\n"),
        ("application/merge-patch+json", #"{"spec":{"count":2147483648}}"#),
    ])
    func patchResultsAreValidated(_ storage: TestStorage, _ body: (String, String)) async throws {
        let (type, patch) = body
        try await Self.withGauges(storage) { client in
            let reply = try await Self.patchGauge(client, type, patch)
            #expect(reply.status == 422, "\(reply.text)")
            #expect(Self.cause(reply).hasPrefix(patch.contains("count") ? "spec.count: " : "spec.total: "))
            let stored = try await client.get(Self.gauges + "/p").json
            #expect(stored.value(at: ["spec", "total"]) == .int(1))
        }
    }

    @Test(arguments: TestStorage.allCases, [
        ("application/merge-patch+json", #"{"spec":{"total":1e3}}"#),
        ("application/json-patch+json", #"[{"op":"add","path":"/spec/total","value":1000.0}]"#),
        ("application/apply-patch+yaml", "apiVersion: example.com/v1\nkind: Gauge\nmetadata:\n  name: p\nspec:\n  total: 1e3\n"),
    ])
    func patchedWholeFloatsAreStoredAsIntegers(_ storage: TestStorage, _ body: (String, String)) async throws {
        let (type, patch) = body
        try await Self.withGauges(storage) { client in
            let reply = try await Self.patchGauge(client, type, patch)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(try await client.get(Self.gauges + "/p").text.contains(#""total":1000"#))
        }
    }

    @Test(arguments: TestStorage.allCases) func yamlBodiesReadNumbersAsKubernetesDoes(_ storage: TestStorage) async throws {
        try await Self.withGauges(storage) { client in
            let yaml = "apiVersion: example.com/v1\nkind: Gauge\nmetadata:\n  name: y\nspec:\n  count: 1.0\n  plain: 1e3\n  total: 9223372036854775807\n"
            let created = try await client.send(.POST, Self.gauges, body: Data(yaml.utf8), contentType: "application/yaml")
            try #require(created.status == 201, "\(created.text)")
            #expect(created.text.contains(#""spec":{"count":1,"plain":1000,"total":9223372036854775807}"#))
            let big = yaml.replacingOccurrences(of: "name: y", with: "name: z").replacingOccurrences(of: "807", with: "808")
            let refused = try await client.send(.POST, Self.gauges, body: Data(big.utf8), contentType: "application/yaml")
            #expect(refused.status == 422)
            #expect(Self.cause(refused).hasPrefix("spec.total: Invalid value: \"number\""))
        }
    }
}

extension JSONValue {
    /// A copy of an object schema with a `status` property added.
    fileprivate func merging(status: JSONValue) -> JSONValue {
        var copy = self
        copy.setValue(status, at: ["properties", "status"])
        return copy
    }
}
