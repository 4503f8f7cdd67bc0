import FederationAPI
import Foundation
import Testing

/// Encoding and decoding keep every field, use the documented wire names (docs/resources.md), and tolerate what
/// API servers send (missing apiVersion/kind in list items, absent status lists).
struct RoundTripTests {
    @Test(arguments: KindCase.all, SampleSize.allCases)
    func encodeDecodeEncodeIsStable(_ c: KindCase, _ size: SampleSize) throws {
        let json = try c.sample(size)
        #expect(try c.roundTrip(json) == json)
    }

    @Test func typedValuesSurviveARoundTrip() throws {
        #expect(try JSONValue(encoding: Samples.fullDatacenter).decode(Datacenter.self) == Samples.fullDatacenter)
        #expect(try JSONValue(encoding: Samples.fullFederationPolicy).decode(FederationPolicy.self) == Samples.fullFederationPolicy)
        #expect(try JSONValue(encoding: Samples.fullReplicationRule).decode(ReplicationRule.self) == Samples.fullReplicationRule)
        #expect(try JSONValue(encoding: Samples.fullServiceFailover).decode(ServiceFailover.self) == Samples.fullServiceFailover)
    }

    @Test func apiVersionAndKindAreEncoded() throws {
        let json = try JSONValue(encoding: Samples.minimalDatacenter)
        #expect(json["apiVersion"] == "federation.concord.dev/v1alpha1")
        #expect(json["kind"] == "Datacenter")
        #expect(try JSONValue(encoding: Samples.minimalServiceFailover)["kind"] == "ServiceFailover")
        #expect(json["status"] == nil)
    }

    @Test func listItemsWithoutApiVersionOrKindDecode() throws {
        let list: JSONValue = [
            "apiVersion": "federation.concord.dev/v1alpha1", "kind": "DatacenterList", "metadata": ["resourceVersion": "7"],
            "items": [["metadata": ["name": "a"], "spec": ["region": "r"], "status": [:]]],
        ]
        let decoded = try list.decode(DatacenterList.self)
        #expect(decoded.items.first?.apiVersion == "federation.concord.dev/v1alpha1")
        #expect(decoded.items.first?.kind == "Datacenter")
        #expect(decoded.items.first?.status == DatacenterStatus())
        #expect(decoded.metadata.resourceVersion == "7")
    }

    @Test func requiredSpecFieldsAreRequiredWhenDecoding() {
        #expect(throws: DecodingError.self) { try JSONValue.object(["spec": [:]]).decode(Datacenter.self) }
        #expect(throws: DecodingError.self) { try JSONValue.object(["metadata": ["name": "x"]]).decode(Datacenter.self) }
        #expect(throws: DecodingError.self) { try JSONValue.object(["spec": ["primary": "a"]]).decode(ServiceFailover.self) }
        #expect(throws: DecodingError.self) { try JSONValue.object(["spec": [:]]).decode(ReplicationRule.self) }
        #expect(throws: DecodingError.self) { try JSONValue.object(["spec": ["topology": "Mesh"]]).decode(FederationPolicy.self) }
    }

    @Test func unknownEnumValuesAreRejected() {
        #expect(throws: DecodingError.self) { try JSONValue.object(["spec": ["region": "r", "mode": "Sideways"]]).decode(Datacenter.self) }
    }

    /// The documented examples, as a user would apply them.
    @Test(arguments: DesignExamples.all)
    func designExamplesDecodeAndFitTheSchema(_ example: DesignExamples.Example) throws {
        let json = try YAML.document(example.yaml)
        let crd = try #require(FederationCRDs.definition(forKind: example.kind))
        var walker = SchemaWalker()
        walker.check(json, crd.schema.json)
        #expect(walker.errors.isEmpty, "\(walker.errors)")
        let roundTripped = try #require(KindCase.all.first { $0.kind == example.kind }).roundTrip(json)
        // Swift always encodes status lists, even empty ones; the examples leave some out.
        #expect(JSONDiff.first(roundTripped.withoutEmptyLists, json.withoutEmptyLists) == nil)
    }

    @Test func designDatacenterExampleReadsAsDocumented() throws {
        let dc = try YAML.document(DesignExamples.datacenter).decode(Datacenter.self)
        #expect(dc.metadata.name == "us-east")
        #expect(dc.spec.region == "us-east-1")
        #expect(dc.spec.credentialsRef == SecretKeyReference(namespace: "concord-system", name: "us-east-kubeconfig", key: "kubeconfig"))
        #expect(dc.spec.capacity?.replicas == 200)
        #expect(dc.status?.phase == .ready)
        #expect(dc.status?.role == .primary)
        #expect(dc.status?.unhealthySince == nil)
        #expect(dc.status?.conditions.map(\.type) == ["Registered", "Reachable", "Ready"])
    }

    @Test func designReplicationRuleExampleReadsAsDocumented() throws {
        let rr = try YAML.document(DesignExamples.replicationRule).decode(ReplicationRule.self)
        #expect(rr.spec.resources.count == 2)
        #expect(rr.spec.resources[1].namePrefix == "global-")
        #expect(rr.status?.targets.first?.lagSeconds == 0.2)
        #expect(rr.status?.sourceRevision == "81234")
        #expect(rr.spec.residency?.allows(region: "eu-central-1") == true)
        #expect(rr.spec.residency?.allows(region: "us-east-1") == false)
    }
}

extension JSONValue {
    /// The same tree with every empty array member removed.
    var withoutEmptyLists: JSONValue {
        switch self {
        case .object(let o): return .object(o.filter { $0.value != .array([]) }.mapValues(\.withoutEmptyLists))
        case .array(let a): return .array(a.map(\.withoutEmptyLists))
        default: return self
        }
    }
}
