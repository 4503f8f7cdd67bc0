import KubernetesAPI

/// One rule of a Role or ClusterRole, matched the way kube-apiserver's RBAC authorizer matches it.
struct PolicyRule: Sendable, Hashable {
    var verbs: [String]
    var apiGroups: [String] = []
    var resources: [String] = []
    var resourceNames: [String] = []
    var nonResourceURLs: [String] = []

    /// Reads a rule from its JSON form; missing lists are empty.
    init(json: JSONValue) {
        func strings(_ key: String) -> [String] { json[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        verbs = strings("verbs")
        apiGroups = strings("apiGroups")
        resources = strings("resources")
        resourceNames = strings("resourceNames")
        nonResourceURLs = strings("nonResourceURLs")
    }

    /// A rule on resources.
    init(verbs: [String], apiGroups: [String], resources: [String], resourceNames: [String] = []) {
        self.verbs = verbs
        self.apiGroups = apiGroups
        self.resources = resources
        self.resourceNames = resourceNames
    }

    /// A rule on non-resource URLs.
    init(verbs: [String], nonResourceURLs: [String]) {
        self.verbs = verbs
        self.nonResourceURLs = nonResourceURLs
    }

    /// The JSON form, with empty lists left out as the API server does.
    var json: JSONValue {
        var o: [String: JSONValue] = ["verbs": .array(verbs.map(JSONValue.string))]
        if !apiGroups.isEmpty { o["apiGroups"] = .array(apiGroups.map(JSONValue.string)) }
        if !resources.isEmpty { o["resources"] = .array(resources.map(JSONValue.string)) }
        if !resourceNames.isEmpty { o["resourceNames"] = .array(resourceNames.map(JSONValue.string)) }
        if !nonResourceURLs.isEmpty { o["nonResourceURLs"] = .array(nonResourceURLs.map(JSONValue.string)) }
        return .object(o)
    }

    /// The rules of a Role or ClusterRole object.
    static func rules(of role: JSONValue) -> [PolicyRule] {
        (role["rules"]?.arrayValue ?? []).map(PolicyRule.init(json:))
    }

    /// True when this rule allows the request.
    func allows(_ request: RequestAttributes) -> Bool {
        guard Self.matches(verbs, request.verb) else { return false }
        guard request.isResourceRequest else { return nonResourceURLMatches(request.path) }
        let combined = request.subresource.isEmpty ? request.resource : "\(request.resource)/\(request.subresource)"
        return Self.matches(apiGroups, request.apiGroup) && resourceMatches(combined, subresource: request.subresource)
            && (resourceNames.isEmpty || resourceNames.contains(request.name))
    }

    /// `*` or the value itself.
    private static func matches(_ list: [String], _ value: String) -> Bool {
        list.contains("*") || list.contains(value)
    }

    /// `*`, the resource (with `/subresource`), or `*/subresource`.
    private func resourceMatches(_ combined: String, subresource: String) -> Bool {
        for resource in resources {
            if resource == "*" || resource == combined { return true }
            if !subresource.isEmpty && resource == "*/\(subresource)" { return true }
        }
        return false
    }

    /// `*`, the path itself, or a prefix ending in `*`.
    private func nonResourceURLMatches(_ path: String) -> Bool {
        for url in nonResourceURLs {
            if url == "*" || url == path { return true }
            if url.hasSuffix("*") && path.hasPrefix(String(url.dropLast())) { return true }
        }
        return false
    }
}

/// What a request asks to do, as RBAC sees it (kube-apiserver's authorizer attributes).
struct RequestAttributes: Sendable, Hashable {
    var user: UserInfo
    var verb: String
    var isResourceRequest: Bool
    /// The URL path of a non-resource request.
    var path: String = ""
    /// The namespace; empty at the cluster scope.
    var namespace: String = ""
    var apiGroup: String = ""
    var resource: String = ""
    var subresource: String = ""
    var name: String = ""

    /// A request on a resource path.
    init(user: UserInfo, verb: String, path rp: ResourcePath) {
        self.user = user
        self.verb = verb
        self.isResourceRequest = true
        // As in kube-apiserver, a Namespace's own path is in that namespace.
        self.namespace = rp.namespace ?? (rp.group.isEmpty && rp.plural == "namespaces" ? rp.name ?? "" : "")
        self.apiGroup = rp.group
        self.resource = rp.plural
        self.subresource = rp.subresource ?? ""
        self.name = rp.name ?? ""
    }

    /// A request on a resource described field by field.
    init(user: UserInfo, verb: String, namespace: String, apiGroup: String, resource: String, subresource: String = "", name: String = "") {
        self.user = user
        self.verb = verb
        self.isResourceRequest = true
        self.namespace = namespace
        self.apiGroup = apiGroup
        self.resource = resource
        self.subresource = subresource
        self.name = name
    }

    /// A request on a non-resource path such as `/healthz` or `/openapi/v3`.
    init(user: UserInfo, verb: String, nonResourcePath: String) {
        self.user = user
        self.verb = verb
        self.isResourceRequest = false
        self.path = nonResourcePath
    }
}
