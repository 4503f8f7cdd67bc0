import Foundation
import KubernetesAPI

/// The API endpoints that answer a request rather than store an object: the TokenRequest subresource
/// (`serviceaccounts/NAME/token`), SelfSubjectReview and TokenReview, and SelfSubjectAccessReview,
/// SelfSubjectRulesReview, SubjectAccessReview and LocalSubjectAccessReview. Nothing they answer is stored.
struct AuthenticationEndpoints: Sendable {
    let handler: ResourceHandler
    let authenticator: Authenticator
    let authorizer: RBACAuthorizer
    let tokens: ServiceAccountTokens

    /// Whether a resource path is one of these endpoints.
    static func serves(_ rp: ResourcePath) -> Bool {
        if rp.group.isEmpty && rp.plural == "serviceaccounts" && rp.subresource == "token" { return rp.name != nil && rp.namespace != nil }
        return ReviewResource.find(rp) != nil
    }

    /// Answers a POST to one of these endpoints for `user` (already authorized for `create`).
    func respond(_ rp: ResourcePath, body: JSONValue, user: UserInfo) async throws -> JSONValue {
        let apiVersion = rp.group.isEmpty ? rp.version : "\(rp.group)/\(rp.version)"
        switch rp.plural {
        case "serviceaccounts":
            return try await tokenRequest(namespace: rp.namespace ?? "", name: rp.name ?? "", body: body)
        case "selfsubjectreviews":
            let userInfo: JSONValue = [
                "username": .string(user.name), "uid": .string(user.uid), "groups": .array(user.groups.map(JSONValue.string)),
            ]
            return ["kind": "SelfSubjectReview", "apiVersion": .string(apiVersion), "metadata": ["creationTimestamp": .null], "status": ["userInfo": userInfo]]
        case "tokenreviews":
            return try await tokenReview(body, apiVersion: apiVersion)
        case "selfsubjectaccessreviews":
            return try accessReview(body, user: user, apiVersion: apiVersion)
        case "subjectaccessreviews", "localsubjectaccessreviews":
            return try subjectAccessReview(body, namespace: rp.namespace, apiVersion: apiVersion)
        default:
            return rulesReview(body, user: user, apiVersion: apiVersion)
        }
    }

    private func tokenRequest(namespace: String, name: String, body: JSONValue) async throws -> JSONValue {
        guard let definition = handler.registry.lookup(group: "", version: "v1", plural: "serviceaccounts") else { throw APIError.pathNotFound() }
        let account = try await handler.get(definition, namespace: namespace, name: name)
        let spec = body["spec"] ?? [:]
        let expiration = spec["expirationSeconds"]?.intValue ?? ServiceAccountTokens.defaultExpiration
        if expiration < ServiceAccountTokens.minimumExpiration {
            throw APIError.invalid(
                kind: "TokenRequest", group: "authentication.k8s.io", name: name,
                causes: [.invalid("spec.expirationSeconds", value: .int(expiration), "may not specify a duration less than 10 minutes")])
        }
        if expiration > Int64(UInt32.max) {
            throw APIError.invalid(
                kind: "TokenRequest", group: "authentication.k8s.io", name: name,
                causes: [.invalid("spec.expirationSeconds", value: .int(expiration), "may not specify a duration larger than 2^32 seconds")])
        }
        var audiences = spec["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if audiences.isEmpty { audiences = tokens.audiences }
        let now = handler.now()
        let uid = account.value(at: ["metadata", "uid"])?.stringValue ?? ""
        let token = try tokens.issue(namespace: namespace, name: name, uid: uid, audiences: audiences, issuedAt: now, expirationSeconds: expiration)
        let expires = Date(timeIntervalSince1970: TimeInterval(Int64(now.timeIntervalSince1970) + expiration))
        let answeredSpec: [String: JSONValue] = [
            "audiences": .array(audiences.map(JSONValue.string)), "expirationSeconds": .int(expiration), "boundObjectRef": spec["boundObjectRef"] ?? .null,
        ]
        return [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "creationTimestamp": .string(KubeTime(now).description)],
            "spec": .object(answeredSpec),
            "status": ["token": .string(token), "expirationTimestamp": .string(KubeTime(expires).description)],
        ]
    }

    private func accessReview(_ body: JSONValue, user: UserInfo, apiVersion: String) throws -> JSONValue {
        let spec = body["spec"] ?? [:]
        let request = try Self.reviewedRequest(spec, user: user, kind: "SelfSubjectAccessReview", causes: [])
        return ["kind": "SelfSubjectAccessReview", "apiVersion": .string(apiVersion), "metadata": ["creationTimestamp": .null], "spec": spec, "status": decision(request)]
    }

    private func rulesReview(_ body: JSONValue, user: UserInfo, apiVersion: String) -> JSONValue {
        let spec = body["spec"] ?? [:]
        let namespace = spec["namespace"]?.stringValue ?? ""
        let (rules, errors) = authorizer.rules(for: user, namespace: namespace)
        var resourceRules: [JSONValue] = [], nonResourceRules: [JSONValue] = []
        for rule in rules {
            if rule.nonResourceURLs.isEmpty {
                var r: [String: JSONValue] = [
                    "verbs": .array(rule.verbs.map(JSONValue.string)), "apiGroups": .array(rule.apiGroups.map(JSONValue.string)),
                    "resources": .array(rule.resources.map(JSONValue.string)),
                ]
                if !rule.resourceNames.isEmpty { r["resourceNames"] = .array(rule.resourceNames.map(JSONValue.string)) }
                resourceRules.append(.object(r))
            } else {
                nonResourceRules.append(["verbs": .array(rule.verbs.map(JSONValue.string)), "nonResourceURLs": .array(rule.nonResourceURLs.map(JSONValue.string))])
            }
        }
        var status: [String: JSONValue] = ["resourceRules": .array(resourceRules), "nonResourceRules": .array(nonResourceRules), "incomplete": .bool(!errors.isEmpty)]
        if !errors.isEmpty { status["evaluationError"] = .string(errors.joined(separator: ", ")) }
        return ["kind": "SelfSubjectRulesReview", "apiVersion": .string(apiVersion), "metadata": ["creationTimestamp": .null], "spec": spec, "status": .object(status)]
    }
}
