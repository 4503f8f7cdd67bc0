import Foundation
import KubernetesAPI
import Testing

/// The core kinds decode what built-in list items look like (no apiVersion, kind or metadata), keep
/// an apiVersion or kind the JSON names, and encode both back.
struct DecodingDefaultsTests {
    static func decodeBare<R: KubeResource>(_ type: R.Type, _ fields: [String: JSONValue] = [:]) throws -> R {
        try JSONValue.object(fields).decode(R.self)
    }

    @Test func bareItemsTakeTheTypesOwnAPIVersionKindAndEmptyMetadata() throws {
        let cm = try Self.decodeBare(ConfigMap.self, ["data": ["k": "v"]])
        #expect(cm.apiVersion == "v1" && cm.kind == "ConfigMap" && cm.metadata == ObjectMeta() && cm.data == ["k": "v"])
        let lease = try Self.decodeBare(Lease.self)
        #expect(lease.apiVersion == "coordination.k8s.io/v1" && lease.kind == "Lease" && lease.spec == nil)
        let event = try Self.decodeBare(Event.self, ["reason": "Promoted"])
        #expect(event.apiVersion == "events.k8s.io/v1" && event.kind == "Event" && event.reason == "Promoted")
        let deployment = try Self.decodeBare(Deployment.self)
        #expect(deployment.apiVersion == "apps/v1" && deployment.kind == "Deployment")
        let namespace = try Self.decodeBare(Namespace.self, ["metadata": nil])
        #expect(namespace.metadata == ObjectMeta() && namespace.kind == "Namespace")
        #expect(try Self.decodeBare(Secret.self).kind == "Secret")
        #expect(try Self.decodeBare(KubeService.self).kind == "Service")
    }

    @Test func nullOrAbsentEndpointsAreEmptyButAddressTypeIsRequired() throws {
        #expect(try Self.decodeBare(EndpointSlice.self, ["addressType": "IPv4", "endpoints": nil]).endpoints == [])
        #expect(try Self.decodeBare(EndpointSlice.self, ["addressType": "IPv4"]).endpoints == [])
        #expect(throws: DecodingError.self) { try Self.decodeBare(EndpointSlice.self, ["endpoints": []]) }
    }

    @Test func namedAPIVersionAndKindAreKeptAndEncoded() throws {
        let cm = try Self.decodeBare(ConfigMap.self, ["apiVersion": "v2", "kind": "Other", "metadata": ["name": "a"]])
        #expect(cm.apiVersion == "v2" && cm.kind == "Other" && cm.metadata.name == "a")
        let json = try JSONValue(encoding: cm)
        #expect(json == ["apiVersion": "v2", "kind": "Other", "metadata": ["name": "a"]])
    }

    @Test func builtValuesEncodeTheirTypeMeta() throws {
        let json = try JSONValue(encoding: ConfigMap(metadata: ObjectMeta(name: "a")))
        #expect(json == ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "a"]])
    }

    @Test func wrongTypesAreStillErrors() {
        #expect(throws: DecodingError.self) { try Self.decodeBare(ConfigMap.self, ["apiVersion": 1]) }
        #expect(throws: DecodingError.self) { try Self.decodeBare(ConfigMap.self, ["metadata": "a"]) }
    }
}
