import KubernetesAPI

/// Aggregated (apidiscovery.k8s.io/v2) and legacy discovery documents, built from the registry on every request.
struct Discovery: Sendable {
    let registry: ResourceRegistry

    /// The aggregated form a client accepts (`v2` or `v2beta1`), or nil for the legacy form.
    static func aggregatedVersion(accept: String?) -> String? {
        guard let accept else { return nil }
        for part in accept.split(separator: ",") {
            let params = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard params.contains("g=apidiscovery.k8s.io"), params.contains("as=APIGroupDiscoveryList") else { continue }
            if params.contains("v=v2") { return "v2" }
            if params.contains("v=v2beta1") { return "v2beta1" }
        }
        return nil
    }

    /// The Content-Type of an aggregated answer.
    static func contentType(_ version: String) -> String {
        "application/json;g=apidiscovery.k8s.io;v=\(version);as=APIGroupDiscoveryList"
    }

    /// `/api` or `/apis` in aggregated form.
    func aggregated(core: Bool, version: String) -> JSONValue {
        let groups = groupedVersions().filter { core ? $0.group.isEmpty : !$0.group.isEmpty }
        let items: [JSONValue] = groups.map { g in
            [
                "metadata": ["name": .string(g.group)],
                "versions": .array(g.versions.map { v -> JSONValue in
                    let served = resources(group: g.group, version: v).map(aggregatedResource) + ReviewResource.served(group: g.group, version: v).map(\.aggregated)
                    return ["version": .string(v), "freshness": "Current", "resources": .array(served)]
                }),
            ]
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": .string("apidiscovery.k8s.io/\(version)"), "metadata": [:], "items": .array(items)]
    }

    private func aggregatedResource(_ d: ResourceDefinition) -> JSONValue {
        let kind: JSONValue = ["group": .string(d.group), "version": .string(d.version), "kind": .string(d.kind)]
        var r: [String: JSONValue] = [
            "resource": .string(d.plural), "responseKind": kind, "scope": d.namespaced ? "Namespaced" : "Cluster",
            "singularResource": .string(d.singular), "verbs": .array(d.verbs.map(JSONValue.string)),
        ]
        if !d.shortNames.isEmpty { r["shortNames"] = .array(d.shortNames.map(JSONValue.string)) }
        if !d.categories.isEmpty { r["categories"] = .array(d.categories.map(JSONValue.string)) }
        var subresources: [JSONValue] = []
        if d.hasStatusSubresource {
            subresources.append(["subresource": "status", "responseKind": kind, "verbs": ["get", "patch", "update"]])
        }
        if d.hasScaleSubresource {
            subresources.append([
                "subresource": "scale", "responseKind": ["group": "autoscaling", "version": "v1", "kind": "Scale"],
                "verbs": ["get", "patch", "update"],
            ])
        }
        if d.group.isEmpty && d.plural == "serviceaccounts" { subresources.append(Self.tokenRequestSubresource) }
        if !subresources.isEmpty { r["subresources"] = .array(subresources) }
        return .object(r)
    }

    /// `/api` in legacy form.
    func legacyCore(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// `/apis` in legacy form.
    func legacyGroups() -> JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groupedVersions().filter { !$0.group.isEmpty }.map(groupJSON))]
    }

    /// `/apis/{group}`, or nil when the group is not served.
    func legacyGroup(_ name: String) -> JSONValue? {
        guard let g = groupedVersions().first(where: { $0.group == name && !name.isEmpty }) else { return nil }
        var j = groupJSON(g)
        j["kind"] = "APIGroup"
        j["apiVersion"] = "v1"
        return j
    }

    private func groupJSON(_ g: (group: String, versions: [String])) -> JSONValue {
        let versions: [JSONValue] = g.versions.map { ["groupVersion": .string("\(g.group)/\($0)"), "version": .string($0)] }
        return ["name": .string(g.group), "versions": .array(versions), "preferredVersion": versions.first ?? [:]]
    }

    /// `/api/v1` or `/apis/{group}/{version}`, or nil when not served.
    func resourceList(group: String, version: String) -> JSONValue? {
        let defs = resources(group: group, version: version)
        let reviews = ReviewResource.served(group: group, version: version)
        guard !defs.isEmpty || !reviews.isEmpty else { return nil }
        var list: [JSONValue] = []
        for d in defs {
            var r: [String: JSONValue] = [
                "name": .string(d.plural), "singularName": .string(d.singular), "namespaced": .bool(d.namespaced),
                "kind": .string(d.kind), "verbs": .array(d.verbs.map(JSONValue.string)),
            ]
            if !d.shortNames.isEmpty { r["shortNames"] = .array(d.shortNames.map(JSONValue.string)) }
            if !d.categories.isEmpty { r["categories"] = .array(d.categories.map(JSONValue.string)) }
            list.append(.object(r))
            if d.hasStatusSubresource {
                list.append([
                    "name": .string("\(d.plural)/status"), "singularName": "", "namespaced": .bool(d.namespaced),
                    "kind": .string(d.kind), "verbs": ["get", "patch", "update"],
                ])
            }
            if d.hasScaleSubresource {
                list.append([
                    "name": .string("\(d.plural)/scale"), "singularName": "", "namespaced": .bool(d.namespaced),
                    "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"],
                ])
            }
            if d.group.isEmpty && d.plural == "serviceaccounts" { list.append(Self.legacyTokenRequest) }
        }
        list += reviews.map(\.legacy)
        return [
            "kind": "APIResourceList", "apiVersion": "v1",
            "groupVersion": .string(group.isEmpty ? version : "\(group)/\(version)"), "resources": .array(list),
        ]
    }

    private func resources(group: String, version: String) -> [ResourceDefinition] {
        registry.all.filter { $0.group == group && $0.version == version }
    }

    /// Served groups in registry order, each with its versions, preferred (highest priority) first.
    func groupedVersions() -> [(group: String, versions: [String])] {
        var order: [String] = []
        var versions: [String: [String]] = [:]
        for d in registry.all {
            if versions[d.group] == nil { order.append(d.group) }
            if !(versions[d.group]?.contains(d.version) ?? false) { versions[d.group, default: []].append(d.version) }
        }
        for review in ReviewResource.all {
            if versions[review.group] == nil { order.append(review.group) }
            if !(versions[review.group]?.contains(review.version) ?? false) { versions[review.group, default: []].append(review.version) }
        }
        return order.map { ($0, versions[$0]!.sorted(by: KubeVersion.higherPriority)) }
    }
}

/// Kubernetes version ordering: GA before beta before alpha, higher numbers first, others last alphabetically.
enum KubeVersion {
    static func parse(_ v: String) -> (major: Int, stage: Int, minor: Int)? {
        guard v.hasPrefix("v") else { return nil }
        let rest = v.dropFirst()
        let digits = rest.prefix(while: \.isNumber)
        guard let major = Int(digits) else { return nil }
        let tail = rest.dropFirst(digits.count)
        if tail.isEmpty { return (major, 3, 0) }
        for (name, stage) in [("beta", 2), ("alpha", 1)] where tail.hasPrefix(name) {
            if let minor = Int(tail.dropFirst(name.count)) { return (major, stage, minor) }
        }
        return nil
    }

    static func higherPriority(_ a: String, _ b: String) -> Bool {
        switch (parse(a), parse(b)) {
        case let (x?, y?):
            if x.stage != y.stage { return x.stage > y.stage }
            if x.major != y.major { return x.major > y.major }
            return x.minor > y.minor
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a < b
        }
    }
}

extension Discovery {
    /// `serviceaccounts/token` (TokenRequest) in aggregated discovery.
    static let tokenRequestSubresource: JSONValue = [
        "subresource": "token", "responseKind": ["group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest"], "verbs": ["create"],
    ]

    /// `serviceaccounts/token` in the legacy `/api/v1` list.
    static let legacyTokenRequest: JSONValue = [
        "name": "serviceaccounts/token", "singularName": "", "namespaced": true, "group": "authentication.k8s.io", "version": "v1",
        "kind": "TokenRequest", "verbs": ["create"],
    ]
}
