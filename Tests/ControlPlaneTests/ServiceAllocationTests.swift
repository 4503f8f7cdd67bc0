import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// Services get what kube-apiserver assigns: a cluster IP from 10.96.0.0/12 and node ports from
/// 30000–32767, unique across namespaces, kept across updates, with its 422s for taken, out-of-range
/// and changed values, and kubectl's columns showing them.
struct ServiceAllocationTests {
    static let path = "/api/v1/namespaces/default/services"

    static func service(_ name: String, type: String? = nil, clusterIP: String? = nil, nodePort: Int? = nil) -> JSONValue {
        var port: JSONValue = ["port": 80, "targetPort": 8080]
        if let nodePort { port["nodePort"] = .int(Int64(nodePort)) }
        var spec: JSONValue = ["selector": ["app": .string(name)], "ports": [port]]
        if let type { spec["type"] = .string(type) }
        if let clusterIP { spec["clusterIP"] = .string(clusterIP) }
        return ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)], "spec": spec]
    }

    static func inRange(_ ip: String?) -> Bool {
        guard let ip, let value = ServiceAllocation.parse(ip) else { return false }
        return value >> 20 == (10 << 24 | 96 << 16) >> 20 && value != ServiceAllocation.base + 1
    }

    @Test(arguments: TestStorage.allCases) func aClusterIPServiceGetsAnAddressOfTheRangeKeptAcrossUpdates(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let created = try await client.post(Self.path, Self.service("web"))
            #expect(created.status == 201)
            let spec = try #require(created.json["spec"])
            let ip = try #require(spec["clusterIP"]?.stringValue)
            #expect(Self.inRange(ip), "\(ip)")
            #expect(spec["clusterIPs"] == [.string(ip)])
            #expect(spec["ipFamilies"] == ["IPv4"])
            #expect(spec["ipFamilyPolicy"] == "SingleStack")
            #expect(spec["internalTrafficPolicy"] == "Cluster")
            #expect(spec["type"] == "ClusterIP")
            #expect(created.json.value(at: ["status", "loadBalancer"]) == [:])
            #expect(spec["ports"]?.arrayValue?.first?["nodePort"] == nil)
            // A replace that leaves the address out (as kubectl replace of a hand-written file does) keeps it.
            var replaced = Self.service("web")
            replaced.setValue(created.json.value(at: ["metadata", "resourceVersion"]), at: ["metadata", "resourceVersion"])
            let put = try await client.put(Self.path + "/web", replaced)
            #expect(put.status == 200)
            #expect(put.json.value(at: ["spec", "clusterIP"])?.stringValue == ip)
            #expect(put.json.value(at: ["spec", "clusterIPs"]) == [.string(ip)])
            // Changing it is refused.
            let changed = try await client.patch(Self.path + "/web", ["spec": ["clusterIP": "10.96.0.77", "clusterIPs": ["10.96.0.77"]]])
            #expect(changed.status == 422)
            #expect(changed.json["message"]?.stringValue
                == #"Service "web" is invalid: [spec.clusterIP: Invalid value: "10.96.0.77": field is immutable, spec.clusterIPs[0]: Invalid value: "10.96.0.77": may not change once set]"#)
            // A second Service, in another namespace too, never gets the same address.
            #expect(try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]]).status == 201)
            var seen: Set<String> = [ip]
            for i in 0..<20 {
                let other = try await client.post(i % 2 == 0 ? Self.path : "/api/v1/namespaces/shop/services", Self.service("s\(i)"))
                #expect(other.status == 201)
                let address = try #require(other.json.value(at: ["spec", "clusterIP"])?.stringValue)
                #expect(Self.inRange(address))
                #expect(seen.insert(address).inserted, "\(address) given twice")
            }
        }
    }

    @Test(arguments: TestStorage.allCases) func requestedAddressesAreCheckedAndHeadlessAndExternalNameTakeNone(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let dns = try await client.post(Self.path, Self.service("dns", clusterIP: "10.96.0.10"))
            #expect(dns.status == 201)
            #expect(dns.json.value(at: ["spec", "clusterIPs"]) == ["10.96.0.10"])
            let taken = try await client.post(Self.path, Self.service("dns2", clusterIP: "10.96.0.10"))
            #expect(taken.status == 422)
            #expect(taken.json["message"]?.stringValue
                == #"Service "dns2" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated"#)
            let outside = try await client.post(Self.path, Self.service("far", clusterIP: "10.0.0.10"))
            #expect(outside.status == 422)
            #expect(outside.json["message"]?.stringValue
                == #"Service "far" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.10"}: failed to allocate IP 10.0.0.10: the provided IP (10.0.0.10) is not in the valid range. The range of valid IPs is 10.96.0.0/12"#)
            // Deleted, its address is free again.
            #expect(try await client.delete(Self.path + "/dns").status == 200)
            #expect(try await client.post(Self.path, Self.service("dns2", clusterIP: "10.96.0.10")).status == 201)
            let headless = try await client.post(Self.path, Self.service("db", clusterIP: "None"))
            #expect(headless.status == 201)
            #expect(headless.json.value(at: ["spec", "clusterIPs"]) == ["None"])
            var external = Self.service("mail", type: "ExternalName")
            external.setValue("mail.example.com", at: ["spec", "externalName"])
            external.setValue(nil, at: ["spec", "selector"])
            let named = try await client.post(Self.path, external)
            #expect(named.status == 201)
            #expect(named.json.value(at: ["spec", "clusterIP"]) == nil)
            #expect(named.json.value(at: ["spec", "internalTrafficPolicy"]) == nil)
            // Turned into a ClusterIP Service, it gets an address; back to ExternalName, it drops it.
            let typed = try await client.patch(Self.path + "/mail", ["spec": ["type": "ClusterIP", "externalName": nil, "selector": ["app": "mail"]]])
            #expect(typed.status == 200)
            #expect(Self.inRange(typed.json.value(at: ["spec", "clusterIP"])?.stringValue))
            let back = try await client.patch(Self.path + "/mail", ["spec": ["type": "ExternalName", "externalName": "mail.example.com", "selector": nil]])
            #expect(back.status == 200)
            #expect(back.json.value(at: ["spec", "clusterIP"]) == nil)
            #expect(back.json.value(at: ["spec", "clusterIPs"]) == nil)
        }
    }

    @Test(arguments: TestStorage.allCases) func nodePortsAreAssignedCheckedAndShownByKubectl(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let created = try await client.post(Self.path, Self.service("web", type: "NodePort"))
            #expect(created.status == 201)
            let port = try #require(created.json.value(at: ["spec", "ports"])?.arrayValue?.first?["nodePort"]?.intValue)
            #expect(ServiceAllocation.nodePorts.contains(Int(port)))
            #expect(created.json.value(at: ["spec", "externalTrafficPolicy"]) == "Cluster")
            let fixed = try await client.post(Self.path, Self.service("fixed", type: "NodePort", nodePort: 30080))
            #expect(fixed.status == 201)
            let again = try await client.post(Self.path, Self.service("again", type: "NodePort", nodePort: 30080))
            #expect(again.status == 422)
            #expect(again.json["message"]?.stringValue == #"Service "again" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"#)
            let low = try await client.post(Self.path, Self.service("low", type: "NodePort", nodePort: 29999))
            #expect(low.status == 422)
            #expect(low.json["message"]?.stringValue
                == #"Service "low" is invalid: spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. The range of valid ports is 30000-32767"#)
            let clusterIP = try await client.post(Self.path, Self.service("plain", nodePort: 30090))
            #expect(clusterIP.status == 422)
            #expect(clusterIP.json["message"]?.stringValue == "Service \"plain\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'")
            // A merge patch of another field keeps the assigned node port.
            let labelled = try await client.patch(Self.path + "/web", ["metadata": ["labels": ["tier": "front"]]])
            #expect(labelled.json.value(at: ["spec", "ports"])?.arrayValue?.first?["nodePort"]?.intValue == port)
            // Made a ClusterIP Service, it drops the node port and the external policy it did not name.
            let plain = try await client.patch(Self.path + "/fixed", ["spec": ["type": "ClusterIP"]])
            #expect(plain.status == 200, "\(plain.json)")
            #expect(plain.json.value(at: ["spec", "ports"])?.arrayValue?.first?["nodePort"] == nil)
            #expect(plain.json.value(at: ["spec", "externalTrafficPolicy"]) == nil)
            #expect(try await client.post(Self.path, Self.service("again", type: "NodePort", nodePort: 30080)).status == 201, "its node port is free again")
            // kubectl's columns: the address, the node port, and a LoadBalancer's pending address.
            let edge = try await client.post(Self.path, Self.service("edge", type: "LoadBalancer"))
            #expect(edge.status == 201)
            #expect(edge.json.value(at: ["spec", "allocateLoadBalancerNodePorts"]) == true)
            let table = try await client.get(Self.path, accept: "application/json;as=Table;v=v1;g=meta.k8s.io").json
            let rows = Dictionary(uniqueKeysWithValues: (table["rows"]?.arrayValue ?? []).map { row in
                (row["cells"]?.arrayValue?.first?.stringValue ?? "", row["cells"]?.arrayValue ?? [])
            })
            #expect(rows["again"]?[4] == .string("80:30080/TCP"))
            #expect(rows["fixed"]?[4] == .string("80/TCP"))
            #expect(rows["web"]?[2] == created.json.value(at: ["spec", "clusterIP"]))
            #expect(rows["edge"]?[3] == "<pending>")
        }
    }
}
