import FederationAPI
import Foundation

/// The cross-datacenter traffic objects of a ServiceFailover, written into every reachable member:
/// a selector-less Service `<service>-global` with the ports of the source Service, and one
/// EndpointSlice per serving datacenter, `<service>-global-<datacenter>`, holding that datacenter's
/// ready endpoints. Each slice is labelled `kubernetes.io/service-name: <service>-global` (so the
/// member's proxies route the global Service to it),
/// `federation.concord.dev/source-datacenter: <datacenter>`, and managed by Concord
/// (`endpointslice.kubernetes.io/managed-by: federation.concord.dev`, so the member's own
/// EndpointSlice controller leaves it alone).
public enum GlobalService {
    /// The EndpointSlice label naming the Service a slice belongs to.
    public static let serviceNameLabel = "kubernetes.io/service-name"
    /// The EndpointSlice label naming the controller that manages it.
    public static let managedByLabel = "endpointslice.kubernetes.io/managed-by"
    /// Concord's value of ``managedByLabel``.
    public static let managedBy = "federation.concord.dev"

    /// `<service>-global`.
    public static func name(of service: String) -> String { "\(service)-global" }

    /// `<service>-global-<datacenter>`.
    public static func sliceName(of service: String, datacenter: String) -> String { "\(service)-global-\(datacenter)" }

    /// The labels every global object carries.
    static func labels(owner: String) -> [String: JSONValue] {
        [FederationLabel.managed: "true", FederationLabel.serviceFailover: .string(owner)]
    }

    /// The annotations with which kube-proxy honours the topology hints Concord writes on the global
    /// EndpointSlices: `topology-mode` (1.27 and later) and its predecessor `topology-aware-hints`.
    /// Releases that look for one of them ignore the hints of a Service without it.
    public static let topologyAnnotations: [String: JSONValue] = ["service.kubernetes.io/topology-mode": "Auto", "service.kubernetes.io/topology-aware-hints": "Auto"]

    /// The global Service for `service` (the source Service object) of ServiceFailover `owner`:
    /// no selector (Concord writes its EndpointSlices), and ``topologyAnnotations`` so local endpoints are preferred.
    public static func service(from service: JSONValue, owner: String) -> JSONValue {
        let source = ReplicaContent.name(of: service)
        let ports = (service.value(at: ["spec", "ports"])?.arrayValue ?? []).map { port -> JSONValue in
            var kept: [String: JSONValue] = [:]
            for field in ["name", "port", "protocol", "appProtocol"] { kept[field] = port[field] }
            // Endpoints carry the target port; without a selector the Service maps port → endpoint port.
            kept["targetPort"] = port["targetPort"] ?? port["port"]
            return .object(kept)
        }
        return .object([
            "apiVersion": "v1", "kind": "Service",
            "metadata": .object([
                "name": .string(name(of: source)), "namespace": service["metadata"]?["namespace"] ?? .null, "labels": .object(labels(owner: owner)),
                "annotations": .object(topologyAnnotations),
            ]),
            "spec": .object(["type": "ClusterIP", "ports": .array(ports)]),
        ])
    }

    /// The ready endpoints of `slices` (the EndpointSlices of the Service in one datacenter).
    public static func readyEndpoints(of slices: [JSONValue]) -> (endpoints: [JSONValue], ports: [JSONValue], addressType: String) {
        var endpoints: [JSONValue] = []
        var ports: [JSONValue] = []
        var addressType = "IPv4"
        for slice in slices.sorted(by: { ReplicaContent.name(of: $0) < ReplicaContent.name(of: $1) }) {
            if let type = slice["addressType"]?.stringValue { addressType = type }
            for port in slice["ports"]?.arrayValue ?? [] where !ports.contains(port) { ports.append(port) }
            for endpoint in slice["endpoints"]?.arrayValue ?? [] where endpoint.value(at: ["conditions", "ready"])?.boolValue != false {
                var kept: [String: JSONValue] = ["addresses": endpoint["addresses"] ?? .array([]), "conditions": ["ready": true]]
                if let zone = endpoint["zone"] { kept["zone"] = zone }
                endpoints.append(.object(kept))
            }
        }
        return (endpoints, ports, addressType)
    }

    /// `address:port` of every ready endpoint in `slices`, sorted: the discovery view's entries.
    public static func addresses(of slices: [JSONValue]) -> [String] {
        let ready = readyEndpoints(of: slices)
        let portNumbers = ready.ports.compactMap { $0["port"]?.intValue }
        var result: [String] = []
        for endpoint in ready.endpoints {
            for address in endpoint["addresses"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                if portNumbers.isEmpty { result.append(address) }
                for port in portNumbers { result.append("\(address):\(port)") }
            }
        }
        return result.sorted()
    }

    /// The global EndpointSlice pointing at `datacenter`'s ready endpoints of `service`. With a
    /// `zone`, every endpoint carries it and topology hints for `hintZones` (the zones whose clients
    /// should use it), as kube-proxy's topology-aware routing reads them.
    public static func slice(
        service: String, namespace: String, owner: String, datacenter: String, endpointsFrom slices: [JSONValue], zone: String? = nil,
        hintZones: [String] = []
    ) -> JSONValue {
        var ready = readyEndpoints(of: slices)
        if let zone {
            let hints: JSONValue = ["forZones": .array(hintZones.map { ["name": .string($0)] })]
            ready.endpoints = ready.endpoints.map { endpoint in
                var endpoint = endpoint
                endpoint["zone"] = .string(zone)
                endpoint["hints"] = hints
                return endpoint
            }
        }
        var labels = labels(owner: owner)
        labels[serviceNameLabel] = .string(name(of: service))
        labels[managedByLabel] = .string(managedBy)
        labels[FederationAnnotation.sourceDatacenter] = .string(datacenter)
        return .object([
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": .object([
                "name": .string(sliceName(of: service, datacenter: datacenter)), "namespace": .string(namespace), "labels": .object(labels),
            ]),
            "addressType": .string(ready.addressType),
            "endpoints": .array(ready.endpoints),
            "ports": .array(ready.ports),
        ])
    }

    /// True when `existing` already routes like `wanted`: the same endpoints, ports and labels.
    public static func sameRouting(_ existing: JSONValue, _ wanted: JSONValue) -> Bool {
        // An empty list and an omitted one mean the same.
        for field in ["addressType", "endpoints", "ports"] where (existing[field] ?? .array([])) != (wanted[field] ?? .array([])) { return false }
        return carries(existing, wanted, "labels")
    }

    /// True when `existing` has every entry `wanted` has in `metadata.<field>` (labels, annotations), with its value.
    static func carries(_ existing: JSONValue, _ wanted: JSONValue, _ field: String) -> Bool {
        let held = existing.value(at: ["metadata", field])
        return (wanted.value(at: ["metadata", field])?.objectValue ?? [:]).allSatisfy { held?[$0.key] == $0.value }
    }

    /// True when an existing global Service exposes the ports `wanted` does, with its labels and annotations.
    public static func sameService(_ existing: JSONValue, _ wanted: JSONValue) -> Bool {
        let keep = ["name", "port", "protocol", "targetPort", "appProtocol"]
        func ports(_ s: JSONValue) -> [JSONValue] {
            (s.value(at: ["spec", "ports"])?.arrayValue ?? []).map { p in .object((p.objectValue ?? [:]).filter { keep.contains($0.key) }) }
        }
        return ports(existing) == ports(wanted) && existing.value(at: ["spec", "selector"]) == nil
            && carries(existing, wanted, "labels") && carries(existing, wanted, "annotations")
    }
}
