import KubernetesAPI

/// Who the request being handled acts as, for checks made deep inside a write (escalation prevention).
struct Requester: Sendable {
    var user: UserInfo
    var authorizer: RBACAuthorizer

    /// Set by the API front for the duration of a request; nil for the server's own writes.
    @TaskLocal static var current: Requester?
}

/// kube-apiserver's privilege-escalation prevention: a Role or ClusterRole may only grant what its
/// author holds (or the author may `escalate`); a binding may only bind a role whose permissions its author
/// holds (or the author may `bind` that role).
enum EscalationCheck {
    /// Throws 403 (or 404 for a binding to a missing role) when the current requester may not write `object`.
    static func verify(_ object: JSONValue, definition: ResourceDefinition) throws {
        guard definition.group == BuiltinResources.rbacGroup, let requester = Requester.current else { return }
        let user = requester.user, authorizer = requester.authorizer
        if user.groups.contains(RBACAuthorizer.mastersGroup) { return }
        let name = object.value(at: ["metadata", "name"])?.stringValue ?? ""
        let namespace = definition.namespaced ? object.value(at: ["metadata", "namespace"])?.stringValue ?? "" : ""
        func allowed(_ verb: String, resource: String, name: String) -> Bool {
            authorizer.decide(
                RequestAttributes(user: user, verb: verb, namespace: namespace, apiGroup: definition.group, resource: resource, name: name)).allowed
        }
        let granted: [PolicyRule]
        switch definition.plural {
        case "roles", "clusterroles":
            if allowed("escalate", resource: definition.plural, name: name) { return }
            if definition.plural == "clusterroles", object["aggregationRule"].map({ $0 != .null }) == true {
                let full = [PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]), PolicyRule(verbs: ["*"], nonResourceURLs: ["*"])]
                if !RuleCoverage.uncovered(owner: authorizer.rules(for: user, namespace: "").rules, servant: full).isEmpty {
                    throw APIError.forbidden(
                        group: definition.group, resource: definition.plural, name: name, why: "must have cluster-admin privileges to use the aggregationRule")
                }
            }
            granted = PolicyRule.rules(of: object)
        case "rolebindings", "clusterrolebindings":
            let kind = object.value(at: ["roleRef", "kind"])?.stringValue ?? ""
            let roleName = object.value(at: ["roleRef", "name"])?.stringValue ?? ""
            let roleResource = kind == "ClusterRole" ? "clusterroles" : "roles"
            if allowed("bind", resource: roleResource, name: roleName) { return }
            let policy = authorizer.snapshot
            let role = kind == "ClusterRole" ? policy.clusterRole(roleName) : policy.role(namespace: namespace, name: roleName)
            guard let role else { throw APIError.notFound(ResourceName(group: definition.group, plural: roleResource), name: roleName) }
            granted = PolicyRule.rules(of: role)
        default:
            return
        }
        let held = authorizer.rules(for: user, namespace: namespace)
        let missing = RuleCoverage.uncovered(owner: held.rules, servant: granted)
        guard !missing.isEmpty else { return }
        let groups = "[" + user.groups.map { "\"\($0)\"" }.joined(separator: " ") + "]"
        var why = "user \"\(user.name)\" (groups=\(groups)) is attempting to grant RBAC permissions not currently held:\n"
            + missing.map(RuleCoverage.compactString).joined(separator: "\n")
        if !held.errors.isEmpty { why += "; resolution errors: [\(held.errors.joined(separator: " "))]" }
        throw APIError.forbidden(group: definition.group, resource: definition.plural, name: name, why: why)
    }
}
