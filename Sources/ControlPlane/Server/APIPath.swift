/// A request path, classified the way kube-apiserver routes it.
enum APIPath: Equatable, Sendable {
    /// `/version`.
    case version
    /// `/healthz`, `/readyz`, `/livez` and their sub-checks.
    case health
    /// `/api`.
    case coreGroupVersions
    /// `/apis`.
    case groups
    /// `/apis/{group}`.
    case group(String)
    /// `/api/v1` or `/apis/{group}/{version}`.
    case resourceList(group: String, version: String)
    /// `/openapi/v2`.
    case openAPIV2
    /// `/openapi/v3`.
    case openAPIV3Index
    /// `/openapi/v3/api/v1` or `/openapi/v3/apis/{group}/{version}`.
    case openAPIV3(group: String, version: String)
    /// A resource, collection or subresource.
    case resource(ResourcePath)
    /// Anything else.
    case unknown

    /// Classifies a decoded path such as `/apis/apps/v1/namespaces/default/deployments/web/status`.
    init(_ path: String) {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if parts.last == "" { parts.removeLast() }
        switch parts.first {
        case "version": self = parts.count == 1 ? .version : .unknown
        case "healthz", "readyz", "livez": self = .health
        case "openapi":
            if parts == ["openapi", "v2"] { self = .openAPIV2 }
            else if parts == ["openapi", "v3"] { self = .openAPIV3Index }
            else if parts.count == 4, parts[1] == "v3", parts[2] == "api" { self = .openAPIV3(group: "", version: parts[3]) }
            else if parts.count == 5, parts[1] == "v3", parts[2] == "apis" { self = .openAPIV3(group: parts[3], version: parts[4]) }
            else { self = .unknown }
        case "api":
            if parts.count == 1 { self = .coreGroupVersions }
            else if parts.count == 2 { self = .resourceList(group: "", version: parts[1]) }
            else { self = ResourcePath(group: "", version: parts[1], rest: Array(parts.dropFirst(2))).map(APIPath.resource) ?? .unknown }
        case "apis":
            if parts.count == 1 { self = .groups }
            else if parts.count == 2 { self = .group(parts[1]) }
            else if parts.count == 3 { self = .resourceList(group: parts[1], version: parts[2]) }
            else { self = ResourcePath(group: parts[1], version: parts[2], rest: Array(parts.dropFirst(3))).map(APIPath.resource) ?? .unknown }
        default: self = .unknown
        }
    }
}

/// The resource part of a path: `[namespaces/{ns}/]{plural}[/{name}[/{subresource}]]`.
struct ResourcePath: Equatable, Sendable {
    var group: String
    var version: String
    var namespace: String?
    var plural: String
    var name: String?
    var subresource: String?

    init(group: String, version: String, namespace: String? = nil, plural: String, name: String? = nil, subresource: String? = nil) {
        self.group = group
        self.version = version
        self.namespace = namespace
        self.plural = plural
        self.name = name
        self.subresource = subresource
    }

    init?(group: String, version: String, rest: [String]) {
        self.group = group
        self.version = version
        // `namespaces/{name}` and `namespaces/{name}/status|finalize` address the Namespace itself.
        if rest.count >= 3, rest[0] == "namespaces", !(group.isEmpty && rest.count == 3 && ["status", "finalize"].contains(rest[2])) {
            namespace = rest[1]
            let tail = Array(rest.dropFirst(2))
            guard (1...3).contains(tail.count) else { return nil }
            plural = tail[0]
            name = tail.count > 1 ? tail[1] : nil
            subresource = tail.count > 2 ? tail[2] : nil
        } else {
            guard (1...3).contains(rest.count) else { return nil }
            namespace = nil
            plural = rest[0]
            name = rest.count > 1 ? rest[1] : nil
            subresource = rest.count > 2 ? rest[2] : nil
        }
    }
}
