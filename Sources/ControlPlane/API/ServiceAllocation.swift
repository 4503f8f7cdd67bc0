import Foundation
import KubernetesAPI

/// What kube-apiserver assigns to a Service when it is written: a cluster IP from the service range
/// (`10.96.0.0/12`, kubeadm's default) for every type but ExternalName, node ports from
/// 30000–32767 for NodePort and LoadBalancer, and the single-stack IPv4 fields that go with them
/// (`clusterIPs`, `ipFamilies: [IPv4]`, `ipFamilyPolicy: SingleStack`, `internalTrafficPolicy` and,
/// for external types, `externalTrafficPolicy: Cluster`). A requested IP or port must be in range
/// and free, with kube-apiserver's 422 messages; once set, a cluster IP never changes, and an
/// update that leaves it (or a node port) out keeps the one assigned.
///
/// What is taken is read from the stored Services at each write (no separate allocation record):
/// two writes at the same moment asking for the same IP or port can both succeed.
enum ServiceAllocation {
    /// The service IP range, `10.96.0.0/12`.
    static let rangeText = "10.96.0.0/12"
    static let base: UInt32 = 10 << 24 | 96 << 16
    static let size: UInt32 = 1 << 20
    /// Requested addresses live in the lower band; dynamic ones are drawn above it (as kube-apiserver
    /// splits a range since 1.24), so a later request for a low address rarely collides.
    static let staticBand: UInt32 = 256
    /// The node port range.
    static let nodePorts = 30000...32767

    /// True for core/v1 Services.
    static func applies(to definition: ResourceDefinition) -> Bool { definition.group == "" && definition.plural == "services" }

    /// The cluster IPs and node ports other Services hold.
    struct Taken {
        var ips: Set<UInt32> = []
        var ports: Set<Int> = []

        /// What `services` (stored objects) hold, leaving out `namespace/name` (the Service being written).
        init(_ services: [JSONValue], except namespace: String?, _ name: String) {
            for service in services {
                if ObjectLifecycle.name(of: service) == name, service.value(at: ["metadata", "namespace"])?.stringValue == namespace { continue }
                for ip in clusterIPs(of: service) { if let value = ServiceAllocation.parse(ip) { ips.insert(value) } }
                for port in service.value(at: ["spec", "ports"])?.arrayValue ?? [] { if let n = port["nodePort"]?.intValue { ports.insert(Int(n)) } }
            }
        }
    }

    /// Assigns what a new Service of `name` lacks, or throws kube-apiserver's 422 for a requested IP or
    /// port that is out of range or taken.
    static func allocate(_ o: inout JSONValue, name: String, taken: Taken) throws {
        var errors: [FieldError] = []
        let type = o.value(at: ["spec", "type"])?.stringValue ?? "ClusterIP"
        if type != "ExternalName" { assignClusterIP(&o, taken: taken, errors: &errors) }
        assignNodePorts(&o, type: type, old: nil, taken: taken, errors: &errors)
        defaultPolicies(&o, type: type)
        if !errors.isEmpty { throw APIError.invalid(kind: "Service", group: "", name: name, causes: errors) }
    }

    /// For an update of `old` to `o`: a cluster IP and node ports left out are kept from `old`, a
    /// changed cluster IP is refused, a type that now needs a cluster IP or node ports gets them, and
    /// a change to ExternalName drops what only the other types have.
    static func update(_ o: inout JSONValue, old: JSONValue, name: String, taken: Taken) throws {
        var errors: [FieldError] = []
        let type = o.value(at: ["spec", "type"])?.stringValue ?? "ClusterIP"
        let oldType = old.value(at: ["spec", "type"])?.stringValue ?? "ClusterIP"
        let oldIP = old.value(at: ["spec", "clusterIP"])?.stringValue ?? ""
        if type == "ExternalName" {
            if oldType != "ExternalName" {
                for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy"] where o.value(at: ["spec", field]) == old.value(at: ["spec", field]) {
                    o.setValue(nil, at: ["spec", field])
                }
            }
        } else {
            let ip = o.value(at: ["spec", "clusterIP"])?.stringValue ?? ""
            if oldType != "ExternalName", !oldIP.isEmpty {
                if ip.isEmpty {
                    for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] where o.value(at: ["spec", field]) == nil || field == "clusterIP" {
                        o.setValue(old.value(at: ["spec", field]), at: ["spec", field])
                    }
                } else if ip != oldIP {
                    errors.append(.invalid("spec.clusterIP", value: .string(ip), "field is immutable"))
                    errors.append(.invalid("spec.clusterIPs[0]", value: .string(ip), "may not change once set"))
                }
            } else {
                assignClusterIP(&o, taken: taken, errors: &errors)
            }
        }
        if !errors.isEmpty { throw APIError.invalid(kind: "Service", group: "", name: name, causes: errors) }
        dropTypeDependentFields(&o, type: type, old: old, oldType: oldType)
        assignNodePorts(&o, type: type, old: old, taken: taken, errors: &errors)
        defaultPolicies(&o, type: type)
        if !errors.isEmpty { throw APIError.invalid(kind: "Service", group: "", name: name, causes: errors) }
    }

    /// The cluster IP: a requested one checked, none (or `""`) drawn from the dynamic band; `None`
    /// (headless) takes no address.
    private static func assignClusterIP(_ o: inout JSONValue, taken: Taken, errors: inout [FieldError]) {
        var ip = o.value(at: ["spec", "clusterIP"])?.stringValue ?? ""
        if ip.isEmpty, let first = o.value(at: ["spec", "clusterIPs"])?.arrayValue?.first?.stringValue { ip = first }
        if ip.isEmpty {
            guard let drawn = draw(taken.ips) else {
                errors.append(FieldError(field: "spec.clusterIPs", reason: .invalid, message: "Internal error: range is full"))
                return
            }
            ip = format(drawn)
        } else if ip != "None" {
            let requested = "[]string{\"\(ip)\"}"
            guard let value = parse(ip) else {
                errors.append(.invalid("spec.clusterIPs[0]", value: .string(ip), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
                return
            }
            if value < base || value >= base + size {
                errors.append(FieldError(
                    field: "spec.clusterIPs", reason: .invalid,
                    message: "Invalid value: \(requested): failed to allocate IP \(ip): the provided IP (\(ip)) is not in the valid range. The range of valid IPs is \(rangeText)"))
                return
            }
            if taken.ips.contains(value) {
                errors.append(FieldError(
                    field: "spec.clusterIPs", reason: .invalid, message: "Invalid value: \(requested): failed to allocate IP \(ip): provided IP is already allocated"))
                return
            }
        }
        o.setValue(.string(ip), at: ["spec", "clusterIP"])
        o.setValue([.string(ip)], at: ["spec", "clusterIPs"])
        if o.value(at: ["spec", "ipFamilies"]) == nil { o.setValue(["IPv4"], at: ["spec", "ipFamilies"]) }
        if o.value(at: ["spec", "ipFamilyPolicy"]) == nil { o.setValue("SingleStack", at: ["spec", "ipFamilyPolicy"]) }
    }

    /// Node ports for NodePort and LoadBalancer (unless `allocateLoadBalancerNodePorts: false`): a
    /// requested one checked, one the update left out kept from the same port of `old`, the rest drawn.
    /// Other types may not name one.
    private static func assignNodePorts(_ o: inout JSONValue, type: String, old: JSONValue?, taken: Taken, errors: inout [FieldError]) {
        guard var ports = o.value(at: ["spec", "ports"])?.arrayValue else { return }
        let wanted = type == "NodePort" || (type == "LoadBalancer" && o.value(at: ["spec", "allocateLoadBalancerNodePorts"])?.boolValue != false)
        let oldPorts = old?.value(at: ["spec", "ports"])?.arrayValue ?? []
        var used = taken.ports
        for i in ports.indices {
            guard let requested = ports[i]["nodePort"]?.intValue.map(Int.init) else { continue }
            if !wanted {
                if type == "ClusterIP" || type == "ExternalName" {
                    errors.append(.forbidden("spec.ports[\(i)].nodePort", "may not be used when `type` is '\(type)'"))
                }
                continue
            }
            if !nodePorts.contains(requested) {
                errors.append(.invalid("spec.ports[\(i)].nodePort", value: .int(Int64(requested)),
                    "provided port is not in the valid range. The range of valid ports is \(nodePorts.lowerBound)-\(nodePorts.upperBound)"))
            } else if used.contains(requested) {
                errors.append(.invalid("spec.ports[\(i)].nodePort", value: .int(Int64(requested)), "provided port is already allocated"))
            }
            used.insert(requested)
        }
        guard wanted else {
            o.setValue(.array(ports), at: ["spec", "ports"])
            return
        }
        for i in ports.indices where ports[i]["nodePort"] == nil {
            let kept = oldPorts.first { $0["port"] == ports[i]["port"] && ($0["protocol"] ?? "TCP") == (ports[i]["protocol"] ?? "TCP") }?["nodePort"]
            if let kept, let n = kept.intValue, !used.contains(Int(n)) {
                ports[i]["nodePort"] = kept
                used.insert(Int(n))
            } else if let drawn = nodePorts.shuffled().first(where: { !used.contains($0) }) {
                ports[i]["nodePort"] = .int(Int64(drawn))
                used.insert(drawn)
            }
        }
        o.setValue(.array(ports), at: ["spec", "ports"])
    }

    /// Leaving NodePort or LoadBalancer for a type without node ports drops the node ports and the
    /// external traffic policy the update left as they were (a person who names them keeps the
    /// refusal); only a LoadBalancer has `allocateLoadBalancerNodePorts` and a load-balancer status.
    private static func dropTypeDependentFields(_ o: inout JSONValue, type: String, old: JSONValue, oldType: String) {
        let external: Set<String> = ["NodePort", "LoadBalancer"]
        if external.contains(oldType), !external.contains(type) {
            let nodePorts = { (s: JSONValue) in (s.value(at: ["spec", "ports"])?.arrayValue ?? []).map { $0["nodePort"] } }
            if nodePorts(o) == nodePorts(old), var ports = o.value(at: ["spec", "ports"])?.arrayValue {
                for i in ports.indices { ports[i]["nodePort"] = nil }
                o.setValue(.array(ports), at: ["spec", "ports"])
            }
            if o.value(at: ["spec", "externalTrafficPolicy"]) == old.value(at: ["spec", "externalTrafficPolicy"]) {
                o.setValue(nil, at: ["spec", "externalTrafficPolicy"])
            }
        }
        if type != "LoadBalancer" {
            o.setValue(nil, at: ["spec", "allocateLoadBalancerNodePorts"])
            if o.value(at: ["status", "loadBalancer"]) != nil { o.setValue([:], at: ["status", "loadBalancer"]) }
        }
    }

    /// `internalTrafficPolicy: Cluster` for every type but ExternalName, `externalTrafficPolicy: Cluster` for NodePort and
    /// LoadBalancer, `allocateLoadBalancerNodePorts: true` for LoadBalancer.
    private static func defaultPolicies(_ o: inout JSONValue, type: String) {
        if type != "ExternalName", o.value(at: ["spec", "internalTrafficPolicy"]) == nil { o.setValue("Cluster", at: ["spec", "internalTrafficPolicy"]) }
        if type == "NodePort" || type == "LoadBalancer", o.value(at: ["spec", "externalTrafficPolicy"]) == nil {
            o.setValue("Cluster", at: ["spec", "externalTrafficPolicy"])
        }
        if type == "LoadBalancer", o.value(at: ["spec", "allocateLoadBalancerNodePorts"]) == nil {
            o.setValue(true, at: ["spec", "allocateLoadBalancerNodePorts"])
        }
    }

    /// A free address of the dynamic band (above ``staticBand``), else of the whole range; never the
    /// range's first address (the `kubernetes` Service's in a cluster), network or broadcast address.
    static func draw(_ taken: Set<UInt32>) -> UInt32? {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<64 {
            let candidate = base + UInt32.random(in: staticBand..<(size - 1), using: &generator)
            if !taken.contains(candidate) { return candidate }
        }
        return (2..<(size - 1)).lazy.map { base + $0 }.first { !taken.contains($0) }
    }

    /// The addresses in `clusterIPs` (else `clusterIP`), `None` and empty left out.
    static func clusterIPs(of service: JSONValue) -> [String] {
        let listed = service.value(at: ["spec", "clusterIPs"])?.arrayValue?.compactMap(\.stringValue)
        return (listed ?? [service.value(at: ["spec", "clusterIP"])?.stringValue ?? ""]).filter { !$0.isEmpty && $0 != "None" }
    }

    /// A dotted IPv4 address as a number (nil for anything else).
    static func parse(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let byte = UInt8(part), part == "\(byte)" else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    /// `a.b.c.d` of `value`.
    static func format(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }
}
