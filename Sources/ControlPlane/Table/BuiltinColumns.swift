import Foundation
import KubernetesAPI

/// kubectl's Service columns that depend on the type.
enum ServiceColumns {
    /// EXTERNAL-IP: the external IPs (ClusterIP, NodePort); a LoadBalancer's ingress addresses and
    /// external IPs, or `<pending>` without either; an ExternalName's name.
    static func externalIP(_ o: JSONValue) -> String {
        let external = o.value(at: ["spec", "externalIPs"])?.arrayValue?.compactMap(\.stringValue) ?? []
        switch o.value(at: ["spec", "type"])?.stringValue ?? "ClusterIP" {
        case "LoadBalancer":
            let ingress = (o.value(at: ["status", "loadBalancer", "ingress"])?.arrayValue ?? []).compactMap { $0["ip"]?.stringValue ?? $0["hostname"]?.stringValue }
            let all = ingress + external
            return all.isEmpty ? "<pending>" : all.joined(separator: ",")
        case "ExternalName":
            return o.value(at: ["spec", "externalName"])?.stringValue ?? ""
        case "ClusterIP", "NodePort":
            return external.isEmpty ? "<none>" : external.joined(separator: ",")
        default:
            return "<unknown>"
        }
    }
}

/// kubectl's wide Deployment columns.
enum DeploymentColumns {
    /// One field (`name`, `image`) of each of the pod template's containers, joined with commas.
    static func containers(_ o: JSONValue, _ field: String) -> String {
        (o.value(at: ["spec", "template", "spec", "containers"])?.arrayValue ?? []).map { $0[field]?.stringValue ?? "" }.joined(separator: ",")
    }

    /// A label selector as `metav1.FormatLabelSelector` writes it: `app=web,tier in (a,b)`, `<none>` when empty.
    static func selector(_ selector: JSONValue?) -> String {
        var parts: [String] = []
        for (key, value) in (selector?["matchLabels"]?.objectValue ?? [:]) { parts.append("\(key)=\(value.stringValue ?? "")") }
        for e in selector?["matchExpressions"]?.arrayValue ?? [] {
            let key = e["key"]?.stringValue ?? "", values = (e["values"]?.arrayValue ?? []).compactMap(\.stringValue).sorted().joined(separator: ",")
            switch e["operator"]?.stringValue ?? "" {
            case "In": parts.append("\(key) in (\(values))")
            case "NotIn": parts.append("\(key) notin (\(values))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            default: continue
            }
        }
        return parts.isEmpty ? "<none>" : parts.sorted().joined(separator: ",")
    }
}

/// The cells of kubectl's event table, from a core/v1 Event (`core`) or an events.k8s.io/v1 one.
struct EventColumns: Sendable {
    let core: Bool

    /// A field by its core name or its events.k8s.io name; null (a Go zero value) reads as absent.
    func field(_ o: JSONValue, _ name: String) -> JSONValue? {
        guard let value = o[name], value != .null else { return nil }
        return value
    }

    func timestamp(_ o: JSONValue, core name: String) -> String? {
        let events = "deprecated" + name.prefix(1).uppercased() + name.dropFirst()
        return field(o, core ? name : events)?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// FIRST SEEN: `firstTimestamp`, else `eventTime`.
    func firstSeen(_ o: JSONValue, now: Date) -> String {
        TableAge.age(of: timestamp(o, core: "firstTimestamp") ?? field(o, "eventTime")?.stringValue, now: now)
    }

    /// LAST SEEN: the series' last observation, else `lastTimestamp`, else as FIRST SEEN.
    func lastSeen(_ o: JSONValue, now: Date) -> String {
        if let observed = o.value(at: ["series", "lastObservedTime"])?.stringValue { return TableAge.age(of: observed, now: now) }
        if let last = timestamp(o, core: "lastTimestamp") { return TableAge.age(of: last, now: now) }
        return firstSeen(o, now: now)
    }

    /// COUNT: the series' count, else `count` (1 for a singleton event).
    func count(_ o: JSONValue) -> Int64 {
        if let series = o.value(at: ["series", "count"])?.intValue { return series }
        let count = field(o, core ? "count" : "deprecatedCount")?.intValue ?? 0
        return count == 0 ? 1 : count
    }

    /// OBJECT: `kind/name` of the object the event is about (the kind alone without a name).
    func object(_ o: JSONValue) -> String {
        let ref = field(o, core ? "involvedObject" : "regarding")
        let kind = (ref?["kind"]?.stringValue ?? "").lowercased(), name = ref?["name"]?.stringValue ?? ""
        return name.isEmpty ? kind : "\(kind)/\(name)"
    }

    /// SOURCE: the component (else the reporting controller), then `, ` and the host (else the reporting instance).
    func source(_ o: JSONValue) -> String {
        let source = field(o, core ? "source" : "deprecatedSource")
        let component = nonEmpty(source?["component"]?.stringValue) ?? nonEmpty(field(o, core ? "reportingComponent" : "reportingController")?.stringValue) ?? ""
        let instance = nonEmpty(source?["host"]?.stringValue) ?? nonEmpty(field(o, "reportingInstance")?.stringValue) ?? ""
        return instance.isEmpty ? component : "\(component), \(instance)"
    }

    private func nonEmpty(_ s: String?) -> String? { s?.isEmpty == false ? s : nil }
}
