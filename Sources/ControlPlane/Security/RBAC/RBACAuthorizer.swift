import KubernetesAPI
import Synchronization

/// kube-apiserver's authorizer chain: members of `system:masters` may do anything, everyone else what
/// their RBAC bindings allow.
final class RBACAuthorizer: Sendable {
    private let policy = Mutex(RBACPolicy())

    /// The group whose members bypass RBAC, as in kube-apiserver.
    static let mastersGroup = "system:masters"

    /// Creates an authorizer with no roles or bindings yet.
    init() {}

    /// The current policy.
    var snapshot: RBACPolicy { policy.withLock { $0 } }

    /// Changes the policy.
    func update(_ change: (inout RBACPolicy) -> Void) {
        policy.withLock { change(&$0) }
    }

    /// Whether the request is allowed, and kube-apiserver's reason when it is not.
    func decide(_ request: RequestAttributes) -> (allowed: Bool, reason: String) {
        if request.user.groups.contains(Self.mastersGroup) { return (true, "") }
        return snapshot.decide(request)
    }

    /// Throws kube-apiserver's 403 when the request is not allowed.
    func authorize(_ request: RequestAttributes) throws {
        let (allowed, reason) = decide(request)
        if !allowed { throw APIError.forbidden(request, reason: reason) }
    }

    /// Every rule that applies to `user` in `namespace` (the cluster-wide ones included), and the bindings
    /// whose roles are missing.
    func rules(for user: UserInfo, namespace: String) -> (rules: [PolicyRule], errors: [String]) {
        if user.groups.contains(Self.mastersGroup) {
            return ([PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]), PolicyRule(verbs: ["*"], nonResourceURLs: ["*"])], [])
        }
        var rules: [PolicyRule] = []
        let errors = snapshot.visitRules(for: user, namespace: namespace) { rule in
            rules.append(rule)
            return true
        }
        return (rules, errors)
    }
}

/// The kube-apiserver verbs of requests.
enum Authorizer {
    /// The group bound to the `view` ClusterRole by default.
    static let viewersGroup = "concord:viewers"

    /// The Kubernetes verb of a request on a resource path.
    static func verb(method: String, path: ResourcePath, watch: Bool) -> String {
        switch method {
        case "GET", "HEAD": return path.name == nil ? (watch ? "watch" : "list") : "get"
        case "POST": return "create"
        case "PUT": return "update"
        case "PATCH": return "patch"
        case "DELETE": return path.name == nil ? "deletecollection" : "delete"
        default: return method.lowercased()
        }
    }
}

extension APIError {
    /// 403 with kube-apiserver's wording: `configmaps "x" is forbidden: User "bob" cannot delete resource
    /// "configmaps" in API group "" in the namespace "default"`, or `forbidden: User "bob" cannot get path "/metrics"`.
    static func forbidden(_ request: RequestAttributes, reason: String = "") -> APIError {
        let user = request.user.name
        let suffix = reason.isEmpty ? "" : ": \(reason)"
        guard request.isResourceRequest else {
            return APIError(
                code: 403, reason: StatusReason.forbidden, message: "forbidden: User \"\(user)\" cannot \(request.verb) path \"\(request.path)\"\(suffix)",
                details: StatusDetails())
        }
        let resource = request.subresource.isEmpty ? request.resource : "\(request.resource)/\(request.subresource)"
        let qualified = request.apiGroup.isEmpty ? request.resource : "\(request.resource).\(request.apiGroup)"
        let subject = request.name.isEmpty ? qualified : "\(qualified) \"\(request.name)\""
        let scope = request.namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(request.namespace)\""
        let message = "\(subject) is forbidden: User \"\(user)\" cannot \(request.verb) resource \"\(resource)\" in API group \"\(request.apiGroup)\" \(scope)\(suffix)"
        return APIError(
            code: 403, reason: StatusReason.forbidden, message: message,
            details: StatusDetails(name: request.name.isEmpty ? nil : request.name, group: request.apiGroup.isEmpty ? nil : request.apiGroup, kind: request.resource))
    }

    /// 403 for a write refused for what it would grant: `<qualified> "<name>" is forbidden: <why>`.
    static func forbidden(group: String, resource: String, name: String, why: String) -> APIError {
        let qualified = group.isEmpty ? resource : "\(resource).\(group)"
        return APIError(
            code: 403, reason: StatusReason.forbidden, message: "\(qualified) \"\(name)\" is forbidden: \(why)",
            details: StatusDetails(name: name.isEmpty ? nil : name, group: group.isEmpty ? nil : group, kind: resource))
    }
}
