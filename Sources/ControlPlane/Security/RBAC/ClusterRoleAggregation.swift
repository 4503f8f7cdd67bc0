import Foundation
import KubernetesAPI

/// ClusterRole aggregation, as kube-controller-manager's clusterrole-aggregation controller does it: a
/// ClusterRole with an `aggregationRule` gets, in order, the rules of every other ClusterRole its selectors
/// match (each selector's matches by name), without duplicates.
enum ClusterRoleAggregation {
    /// The rules an aggregated ClusterRole should hold, or nil when it has no `aggregationRule`.
    static func rules(for role: JSONValue, among roles: [JSONValue]) -> [PolicyRule]? {
        guard let selectors = role.value(at: ["aggregationRule", "clusterRoleSelectors"])?.arrayValue else { return nil }
        let name = role.value(at: ["metadata", "name"])?.stringValue ?? ""
        let sorted = roles.sorted { ($0.value(at: ["metadata", "name"])?.stringValue ?? "") < ($1.value(at: ["metadata", "name"])?.stringValue ?? "") }
        var rules: [PolicyRule] = []
        for selectorJSON in selectors {
            guard let selector = Self.selector(selectorJSON) else { continue }
            for other in sorted where other.value(at: ["metadata", "name"])?.stringValue != name && selector.matches(object: other) {
                for rule in PolicyRule.rules(of: other) where !rules.contains(rule) { rules.append(rule) }
            }
        }
        return rules
    }

    /// A `LabelSelector` in JSON form; nil when it cannot be read (it then selects nothing).
    private static func selector(_ json: JSONValue) -> LabelSelectorExpression? {
        do {
            return try LabelSelectorExpression(try JSONDecoder().decode(LabelSelector.self, from: CompactJSON.encode(json)))
        } catch {
            return nil
        }
    }

    /// The aggregated ClusterRoles whose rules differ from what their selectors gather, with the rules they should hold.
    static func pending(in policy: RBACPolicy) -> [(role: JSONValue, rules: [PolicyRule])] {
        let roles = policy.allClusterRoles
        return roles.compactMap { role in
            guard let wanted = rules(for: role, among: roles), wanted != PolicyRule.rules(of: role) else { return nil }
            return (role, wanted)
        }
    }

    /// Writes the gathered rules into each aggregated ClusterRole that needs them (as the server, not a user);
    /// returns how many were written. A conflict is left for the next change to retry.
    @discardableResult
    static func apply(_ policy: RBACPolicy, handler: ResourceHandler, authorizer: RBACAuthorizer) async throws -> Int {
        guard let definition = handler.registry.lookup(group: BuiltinResources.rbacGroup, version: "v1", plural: "clusterroles") else { return 0 }
        var written = 0
        for (role, rules) in pending(in: policy) {
            var body = role
            body["rules"] = .array(rules.map(\.json))
            let name = role.value(at: ["metadata", "name"])?.stringValue ?? ""
            do {
                let (updated, _) = try await handler.update(
                    definition, namespace: nil, name: name, body: body, subresource: nil, options: try WriteOptions(QueryParameters(nil)))
                written += 1
                let revision = Int64(updated.value(at: ["metadata", "resourceVersion"])?.stringValue ?? "") ?? 0
                authorizer.update {
                    $0.apply(StorageEvent(type: .modified, key: StorageKey(resource: RBACPolicy.clusterRoles, namespace: "", name: name), object: updated, previous: nil, revision: revision))
                }
            } catch let error as APIError where error.code == 409 || error.code == 404 {
                continue
            }
        }
        return written
    }
}
