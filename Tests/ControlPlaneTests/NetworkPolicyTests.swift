import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// NetworkPolicy (networking.k8s.io/v1) is stored as kube-apiserver stores it, so ReplicationRules
/// can carry it: discovery, defaults, generation on spec changes, `kubectl get` columns, and its checks.
struct NetworkPolicyTests {
    static let path = "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies"

    static func policy(_ name: String, types: [JSONValue] = ["Ingress"], app: String = "db") -> JSONValue {
        [
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": ["name": .string(name)],
            "spec": [
                "podSelector": ["matchLabels": ["app": .string(app)]], "policyTypes": .array(types),
                "ingress": [["from": [["podSelector": ["matchLabels": ["role": "api"]]], ["ipBlock": ["cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]]]], "ports": [["protocol": "TCP", "port": 5432], ["port": "metrics"]]]],
            ],
        ]
    }

    @Test func itIsDiscoveredWithItsShortName() async throws {
        try await withTestControlPlane { plane in
            let client = APIClient(plane)
            let list = try await client.get("/apis/networking.k8s.io/v1").json
            let resource = try #require(list["resources"]?.arrayValue?.first { $0["name"] == "networkpolicies" })
            #expect(resource["kind"] == "NetworkPolicy")
            #expect(resource["namespaced"] == true)
            #expect(resource["shortNames"] == ["netpol"])
        }
    }

    @Test func itKeepsItsSpecTracksGenerationAndPrintsItsPodSelector() async throws {
        try await withTestControlPlane { plane in
            let client = APIClient(plane)
            let created = try await client.post(Self.path, Self.policy("db"))
            #expect(created.status == 201)
            #expect(created.json["metadata"]?["generation"]?.intValue == 1)
            let rule = try #require(created.json["spec"]?["ingress"]?.arrayValue?.first)
            #expect(rule["ports"]?.arrayValue?.map { $0["port"] } == [5432, "metrics"])
            #expect(rule["from"]?.arrayValue?.last?["ipBlock"]?["except"] == ["10.1.0.0/16"])
            let labelled = try await client.patch(Self.path + "/db", ["metadata": ["labels": ["team": "data"]]])
            #expect(labelled.json["metadata"]?["generation"]?.intValue == 1)
            let changed = try await client.patch(Self.path + "/db", ["spec": ["podSelector": ["matchLabels": ["app": "cache"]]]])
            #expect(changed.status == 200)
            #expect(changed.json["metadata"]?["generation"]?.intValue == 2)
            let table = try await client.get(Self.path, accept: "application/json;as=Table;v=v1;g=meta.k8s.io").json
            #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Pod-Selector", "Age"])
            #expect(table["rows"]?.arrayValue?.first?["cells"]?.arrayValue?[1] == "app=cache")
            #expect(try await client.post(Self.path, ["apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": ["name": "all"], "spec": ["podSelector": [:]]]).status == 201)
            let all = try await client.get(Self.path + "?fieldSelector=metadata.name%3Dall", accept: "application/json;as=Table;v=v1;g=meta.k8s.io").json
            #expect(all["rows"]?.arrayValue?.first?["cells"]?.arrayValue?[1] == "<none>")
        }
    }

    /// kube-apiserver's defaults: podSelector `{}`, policyTypes from the rules given, ports TCP.
    @Test func itIsDefaultedAsKubeAPIServerDefaultsIt() async throws {
        try await withTestControlPlane { plane in
            let client = APIClient(plane)
            let both = try await client.post(Self.path, [
                "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": ["name": "both"],
                "spec": ["ingress": [["ports": [["port": 80]]]], "egress": [["ports": [["port": 53, "protocol": "UDP"], ["port": 443]]]]],
            ])
            #expect(both.status == 201)
            #expect(both.json["spec"]?["podSelector"] == [:])
            #expect(both.json["spec"]?["policyTypes"] == ["Ingress", "Egress"])
            #expect(both.json["spec"]?["ingress"]?.arrayValue?.first?["ports"]?.arrayValue?.map { $0["protocol"] } == ["TCP"])
            #expect(both.json["spec"]?["egress"]?.arrayValue?.first?["ports"]?.arrayValue?.map { $0["protocol"] } == ["UDP", "TCP"])
            let ingressOnly = try await client.post(Self.path, ["apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": ["name": "deny"], "spec": [:]])
            #expect(ingressOnly.json["spec"]?["policyTypes"] == ["Ingress"])
            let egressOnly = try await client.post(Self.path, Self.policy("egress", types: ["Egress"]))
            #expect(egressOnly.json["spec"]?["policyTypes"] == ["Egress"])
        }
    }

    @Test func badPolicyTypesAndFieldTypesAreRefusedAsKubeAPIServerDoes() async throws {
        try await withTestControlPlane { plane in
            let client = APIClient(plane)
            let unsupported = try await client.post(Self.path, Self.policy("bad", types: ["Ingress", "Sideways"]))
            #expect(unsupported.status == 422)
            #expect(unsupported.json["message"]
                == #"NetworkPolicy.networking.k8s.io "bad" is invalid: spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress""#)
            let many = try await client.post(Self.path, Self.policy("many", types: ["Ingress", "Egress", "Ingress"]))
            #expect(many.status == 422)
            #expect(many.json["message"]
                == #"NetworkPolicy.networking.k8s.io "many" is invalid: spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not specify more than two policyTypes"#)
            var wrong = Self.policy("wrong")
            wrong.setValue("5432", at: ["spec", "ingress"])
            let typed = try await client.post(Self.path, wrong)
            #expect(typed.status == 400)
            #expect(typed.json["message"]?.stringValue?.hasPrefix(#"NetworkPolicy in version "v1" cannot be handled as a NetworkPolicy: json: cannot unmarshal string into Go struct field NetworkPolicySpec.spec.ingress of type []v1.NetworkPolicyIngressRule"#) == true)
            // Named string types are printed by their Go names.
            var named = Self.policy("protocol")
            named.setValue([["ports": [["protocol": 6, "port": 80]]]], at: ["spec", "ingress"])
            let badProtocol = try await client.post(Self.path, named)
            #expect(badProtocol.status == 400)
            #expect(badProtocol.json["message"]?.stringValue?.hasSuffix("cannot unmarshal number into Go struct field NetworkPolicyPort.spec.ingress.ports.protocol of type v1.Protocol") == true,
                "\(badProtocol.json["message"] ?? .null)")
            let numberType = try await client.post(Self.path, Self.policy("number", types: [1]))
            #expect(numberType.json["message"]?.stringValue?.hasSuffix("cannot unmarshal number into Go struct field NetworkPolicySpec.spec.policyTypes of type v1.PolicyType") == true,
                "\(numberType.json["message"] ?? .null)")
        }
    }
}
