import KubernetesAPI

/// The Roles, ClusterRoles, RoleBindings and ClusterRoleBindings the authorizer decides with: a snapshot,
/// kept current by `RBACFollower`.
struct RBACPolicy: Sendable {
    /// Objects by resource (`roles.rbac.authorization.k8s.io` …), then by `namespace/name`.
    private(set) var objects: [String: [String: StoredObject]] = [:]

    static let roles = "roles.rbac.authorization.k8s.io"
    static let clusterRoles = "clusterroles.rbac.authorization.k8s.io"
    static let roleBindings = "rolebindings.rbac.authorization.k8s.io"
    static let clusterRoleBindings = "clusterrolebindings.rbac.authorization.k8s.io"
    static let resources = [roles, clusterRoles, roleBindings, clusterRoleBindings]

    /// Replaces one resource's objects with a full list made at `revision`; objects already known at a later
    /// revision stay.
    mutating func replace(_ resource: String, with list: [StoredObject], at revision: Int64) {
        var fresh = Dictionary(list.map { (Self.id($0.key), $0) }, uniquingKeysWith: { a, b in a.revision >= b.revision ? a : b })
        for (id, known) in objects[resource] ?? [:] where known.revision > revision {
            fresh[id] = known
        }
        objects[resource] = fresh
    }

    /// Applies a watch event, or a write this server just made; an older revision of an object never replaces a newer one.
    mutating func apply(_ event: StorageEvent) {
        let id = Self.id(event.key)
        if let current = objects[event.key.resource]?[id], current.revision > event.revision { return }
        switch event.type {
        case .added, .modified:
            objects[event.key.resource, default: [:]][id] = StoredObject(key: event.key, object: event.object, revision: event.revision)
        case .deleted:
            objects[event.key.resource]?[id] = nil
        }
    }

    private static func id(_ key: StorageKey) -> String { "\(key.namespace)/\(key.name)" }

    /// A ClusterRole by name.
    func clusterRole(_ name: String) -> JSONValue? { objects[Self.clusterRoles]?["/\(name)"]?.object }

    /// A Role by namespace and name.
    func role(namespace: String, name: String) -> JSONValue? { objects[Self.roles]?["\(namespace)/\(name)"]?.object }

    /// Every ClusterRole.
    var allClusterRoles: [JSONValue] { (objects[Self.clusterRoles] ?? [:]).values.map(\.object) }

    /// The rules a binding's roleRef names, or why they cannot be found.
    private func rules(ofRoleRef ref: JSONValue?, bindingNamespace: String) -> Result<[PolicyRule], RoleNotFound> {
        let kind = ref?["kind"]?.stringValue ?? "", name = ref?["name"]?.stringValue ?? ""
        switch kind {
        case "ClusterRole":
            guard let role = clusterRole(name) else { return .failure(RoleNotFound(text: "clusterrole.rbac.authorization.k8s.io \"\(name)\" not found")) }
            return .success(PolicyRule.rules(of: role))
        case "Role" where !bindingNamespace.isEmpty:
            guard let role = objects[Self.roles]?["\(bindingNamespace)/\(name)"]?.object else {
                return .failure(RoleNotFound(text: "role.rbac.authorization.k8s.io \"\(name)\" not found"))
            }
            return .success(PolicyRule.rules(of: role))
        default:
            return .failure(RoleNotFound(text: "unsupported role reference kind: \"\(kind)\""))
        }
    }

    struct RoleNotFound: Error { var text: String }

    /// Calls `visit` with each rule that applies to `user` in `namespace` (empty: cluster-wide rules only), in
    /// kube-apiserver's order: ClusterRoleBindings first, then the namespace's RoleBindings. `visit` returns
    /// false to stop. Returns the bindings whose role is missing, as kube-apiserver words them.
    @discardableResult
    func visitRules(for user: UserInfo, namespace: String, _ visit: (PolicyRule) -> Bool) -> [String] {
        var errors: [String] = []
        let clusterBindings = (objects[Self.clusterRoleBindings] ?? [:]).values.sorted { $0.key.name < $1.key.name }
        for binding in clusterBindings where Self.applies(binding.object, to: user, namespace: "") {
            switch rules(ofRoleRef: binding.object["roleRef"], bindingNamespace: "") {
            case .success(let rules):
                for rule in rules where !visit(rule) { return errors }
            case .failure(let missing):
                errors.append(missing.text)
            }
        }
        guard !namespace.isEmpty else { return errors }
        let bindings = (objects[Self.roleBindings] ?? [:]).values.filter { $0.key.namespace == namespace }.sorted { $0.key.name < $1.key.name }
        for binding in bindings where Self.applies(binding.object, to: user, namespace: namespace) {
            switch rules(ofRoleRef: binding.object["roleRef"], bindingNamespace: namespace) {
            case .success(let rules):
                for rule in rules where !visit(rule) { return errors }
            case .failure(let missing):
                errors.append(missing.text)
            }
        }
        return errors
    }

    /// Whether any subject of a binding is `user`.
    static func applies(_ binding: JSONValue, to user: UserInfo, namespace: String) -> Bool {
        (binding["subjects"]?.arrayValue ?? []).contains { subject in
            let name = subject["name"]?.stringValue ?? ""
            switch subject["kind"]?.stringValue {
            case "User": return user.name == name
            case "Group": return user.groups.contains(name)
            case "ServiceAccount":
                let saNamespace = subject["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? namespace
                return !saNamespace.isEmpty && user.name == ServiceAccountNames.userName(namespace: saNamespace, name: name)
            default: return false
            }
        }
    }

    /// The decision on a request, with kube-apiserver's reason for a denial (missing roles), if any.
    func decide(_ request: RequestAttributes) -> (allowed: Bool, reason: String) {
        var allowed = false
        let errors = visitRules(for: request.user, namespace: request.namespace) { rule in
            if rule.allows(request) { allowed = true }
            return !allowed
        }
        if allowed { return (true, "") }
        return (false, errors.isEmpty ? "" : "RBAC: " + errors.joined(separator: ", "))
    }
}

/// The user names and groups of ServiceAccounts.
enum ServiceAccountNames {
    static let prefix = "system:serviceaccount:"

    /// `system:serviceaccount:NS:NAME`.
    static func userName(namespace: String, name: String) -> String { "\(prefix)\(namespace):\(name)" }

    /// The namespace and name of a ServiceAccount user name, or nil.
    static func split(_ userName: String) -> (namespace: String, name: String)? {
        guard userName.hasPrefix(prefix) else { return nil }
        let parts = userName.dropFirst(prefix.count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// `system:serviceaccounts`, `system:serviceaccounts:NS` and `system:authenticated`.
    static func groups(namespace: String) -> [String] {
        ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"]
    }
}
