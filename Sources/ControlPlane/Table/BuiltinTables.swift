import Foundation
import KubernetesAPI

/// Table layouts of the built-in kinds, like kube-apiserver's printers.
enum BuiltinTables {
    typealias Column = TableRenderer.Column

    static func columns(for d: ResourceDefinition, name: Column, age: Column) -> [Column] {
        switch (d.group, d.plural) {
        case ("", "namespaces"):
            return [name, TableRenderer.path("Status", ["status", "phase"]), age]
        case ("", "configmaps"):
            return [name, count("Data", [["data"], ["binaryData"]]), age]
        case ("", "secrets"):
            return [name, TableRenderer.path("Type", ["type"]), count("Data", [["data"]]), age]
        case ("", "services"):
            return [
                name, TableRenderer.path("Type", ["spec", "type"]),
                computed("Cluster-IP") { o in o.value(at: ["spec", "clusterIP"])?.stringValue ?? "<none>" },
                computed("External-IP") { o in ServiceColumns.externalIP(o) },
                computed("Port(s)") { o in
                    let ports = (o.value(at: ["spec", "ports"])?.arrayValue ?? []).map { p in
                        let port = JSONPathExpression.scalarText(p["port"] ?? .null) ?? "", proto = p["protocol"]?.stringValue ?? "TCP"
                        guard let node = p["nodePort"]?.intValue, node > 0 else { return "\(port)/\(proto)" }
                        return "\(port):\(node)/\(proto)"
                    }
                    return ports.isEmpty ? "<none>" : ports.joined(separator: ",")
                },
                age,
                computed("Selector", priority: 1) { o in
                    let sel = o.value(at: ["spec", "selector"])?.objectValue ?? [:]
                    return sel.isEmpty ? "<none>" : sel.keys.sorted().map { "\($0)=\(sel[$0]?.stringValue ?? "")" }.joined(separator: ",")
                },
            ]
        case ("", "endpoints"):
            return [
                name,
                computed("Endpoints") { o in
                    var out: [String] = []
                    for s in o["subsets"]?.arrayValue ?? [] {
                        let ports = (s["ports"]?.arrayValue ?? []).compactMap { $0["port"]?.intValue }
                        for a in s["addresses"]?.arrayValue ?? [] {
                            let ip = a["ip"]?.stringValue ?? ""
                            out += ports.isEmpty ? [ip] : ports.map { "\(ip):\($0)" }
                        }
                    }
                    return out.isEmpty ? "<none>" : out.joined(separator: ",")
                },
                age,
            ]
        case ("discovery.k8s.io", "endpointslices"):
            return [
                name, TableRenderer.path("AddressType", ["addressType"]),
                computed("Ports") { o in
                    let ports = (o["ports"]?.arrayValue ?? []).compactMap { $0["port"]?.intValue }.map(String.init)
                    return ports.isEmpty ? "<unset>" : ports.joined(separator: ",")
                },
                computed("Endpoints") { o in
                    let addrs = (o["endpoints"]?.arrayValue ?? []).flatMap { $0["addresses"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
                    return addrs.isEmpty ? "<unset>" : addrs.joined(separator: ",")
                },
                age,
            ]
        case ("apps", "deployments"):
            return [
                name,
                computed("Ready") { o in
                    "\(o.value(at: ["status", "readyReplicas"])?.intValue ?? 0)/\(o.value(at: ["spec", "replicas"])?.intValue ?? 0)"
                },
                integer("Up-to-date", ["status", "updatedReplicas"]),
                integer("Available", ["status", "availableReplicas"]),
                age,
                computed("Containers", priority: 1) { o in DeploymentColumns.containers(o, "name") },
                computed("Images", priority: 1) { o in DeploymentColumns.containers(o, "image") },
                computed("Selector", priority: 1) { o in DeploymentColumns.selector(o.value(at: ["spec", "selector"])) },
            ]
        case ("networking.k8s.io", "networkpolicies"):
            return [name, computed("Pod-Selector") { o in DeploymentColumns.selector(o.value(at: ["spec", "podSelector"])) }, age]
        case ("coordination.k8s.io", "leases"):
            return [name, TableRenderer.path("Holder", ["spec", "holderIdentity"]), age]
        case ("", "events"), ("events.k8s.io", "events"):
            // kubectl's event columns, read from either shape (kube-apiserver prints both from one type).
            let e = EventColumns(core: d.group.isEmpty)
            return [
                Column(definition: PrinterColumn(name: "Last Seen", type: "string", jsonPath: "")) { o, now in .string(e.lastSeen(o, now: now)) },
                TableRenderer.path("Type", ["type"]),
                TableRenderer.path("Reason", ["reason"]),
                computed("Object") { o in e.object(o) },
                computed("Subobject", priority: 1) { o in e.field(o, e.core ? "involvedObject" : "regarding")?["fieldPath"]?.stringValue ?? "" },
                computed("Source", priority: 1) { o in e.source(o) },
                computed("Message") { o in (e.field(o, e.core ? "message" : "note")?.stringValue ?? "").trimmingCharacters(in: .whitespacesAndNewlines) },
                Column(definition: PrinterColumn(name: "First Seen", type: "string", priority: 1, jsonPath: "")) { o, now in .string(e.firstSeen(o, now: now)) },
                Column(definition: PrinterColumn(name: "Count", type: "string", priority: 1, jsonPath: "")) { o, _ in .int(e.count(o)) },
                computed("Name", priority: 1) { o in o.value(at: ["metadata", "name"])?.stringValue ?? "" },
            ]
        case ("apiextensions.k8s.io", "customresourcedefinitions"), (BuiltinResources.rbacGroup, "roles"), (BuiltinResources.rbacGroup, "clusterroles"):
            return [
                name,
                Column(definition: PrinterColumn(name: "Created At", type: "date", jsonPath: ".metadata.creationTimestamp")) { o, _ in
                    o.value(at: ["metadata", "creationTimestamp"]) ?? .null
                },
            ]
        case (BuiltinResources.rbacGroup, "rolebindings"), (BuiltinResources.rbacGroup, "clusterrolebindings"):
            @Sendable func subjects(_ kind: String, _ o: JSONValue) -> String {
                (o["subjects"]?.arrayValue ?? []).filter { $0["kind"]?.stringValue == kind }.map { s in
                    let name = s["name"]?.stringValue ?? ""
                    return kind == "ServiceAccount" ? "\(s["namespace"]?.stringValue ?? ""):\(name)" : name
                }.joined(separator: ", ")
            }
            return [
                name,
                computed("Role") { o in "\(o.value(at: ["roleRef", "kind"])?.stringValue ?? "")/\(o.value(at: ["roleRef", "name"])?.stringValue ?? "")" },
                age,
                computed("Users", priority: 1) { subjects("User", $0) }, computed("Groups", priority: 1) { subjects("Group", $0) },
                computed("ServiceAccounts", priority: 1) { subjects("ServiceAccount", $0) },
            ]
        case ("", "serviceaccounts"):
            return [name, Column(definition: PrinterColumn(name: "Secrets", type: "string", jsonPath: "")) { o, _ in .int(Int64(o["secrets"]?.arrayValue?.count ?? 0)) }, age]
        default:
            return [name, age]
        }
    }

    static func computed(_ name: String, priority: Int = 0, _ f: @escaping @Sendable (JSONValue) -> String) -> Column {
        Column(definition: PrinterColumn(name: name, type: "string", priority: priority, jsonPath: "")) { o, _ in .string(f(o)) }
    }

    static func integer(_ name: String, _ keys: [String]) -> Column {
        Column(definition: PrinterColumn(name: name, type: "integer", jsonPath: "." + keys.joined(separator: "."))) { o, _ in
            .int(o.value(at: keys)?.intValue ?? 0)
        }
    }

    static func count(_ name: String, _ paths: [[String]]) -> Column {
        Column(definition: PrinterColumn(name: name, type: "integer", jsonPath: "")) { o, _ in
            .int(Int64(paths.reduce(0) { $0 + (o.value(at: $1)?.objectValue?.count ?? 0) }))
        }
    }
}

