import Foundation
import KubernetesAPI
import NIOSSL
import X509

/// Decides who a request is, from a bearer token (the control plane's own token or one of a token
/// file's) or a verified client certificate, the way kube-apiserver's authenticators do.
struct Authenticator: Sendable {
    /// The control plane's own token; nil turns authentication off.
    let adminToken: String?
    /// Further tokens, from `--token-file`.
    let tokenUsers: [String: UserInfo]

    /// Who anonymous requests are, when authentication is off.
    static let unauthenticated = UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"])

    /// Whether a request must authenticate.
    var enabled: Bool { adminToken != nil }

    /// The user a token belongs to, or nil.
    func user(forToken token: String) -> UserInfo? {
        guard let adminToken else { return nil }
        if Credentials.tokensMatch(token, adminToken) { return .admin }
        return tokenUsers[token]
    }

    /// The user a verified client certificate names: the common name is the user, each organization a
    /// group. Nil when the certificate has no common name.
    static func user(forClientCertificate certificate: NIOSSLCertificate) -> UserInfo? {
        guard let der = try? certificate.toDERBytes(), let parsed = try? Certificate(derEncoded: der) else { return nil }
        var name: String?
        var groups: [String] = []
        for rdn in parsed.subject {
            for attribute in rdn {
                if attribute.type == .RDNAttributeType.commonName, name == nil {
                    name = String(describing: attribute.value)
                } else if attribute.type == .RDNAttributeType.organizationName {
                    groups.append(String(describing: attribute.value))
                }
            }
        }
        guard let name, !name.isEmpty else { return nil }
        return UserInfo(name: name, groups: groups)
    }

    /// The token of an `Authorization: Bearer …` header; nil when there is no such header.
    static func bearerToken(_ header: String?) -> String? {
        guard let header else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }
}

/// What authenticated users may do. Concord has no RBAC: every user may do everything, except members
/// of the group `concord:viewers`, who may only get, list and watch, and never read Secrets (like
/// Kubernetes' `view` role).
enum Authorizer {
    /// The read-only group.
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

    /// Throws 403 Forbidden when `user` may not do `verb` on `path`.
    static func authorize(_ user: UserInfo, verb: String, path: ResourcePath) throws {
        guard user.groups.contains(viewersGroup), !user.groups.contains("system:masters") else { return }
        let reads: Set<String> = ["get", "list", "watch"]
        let secret = path.group.isEmpty && path.plural == "secrets"
        if reads.contains(verb) && !secret { return }
        throw APIError.forbidden(user: user, verb: verb, path: path)
    }
}

extension APIError {
    /// 403 with kube-apiserver's wording: `configmaps "x" is forbidden: User "bob" cannot delete resource
    /// "configmaps" in API group "" in the namespace "default"`.
    static func forbidden(user: UserInfo, verb: String, path: ResourcePath) -> APIError {
        let resource = path.subresource.map { "\(path.plural)/\($0)" } ?? path.plural
        let subject = path.name.map { "\(path.plural) \"\($0)\"" } ?? path.plural
        let scope = path.namespace.map { "in the namespace \"\($0)\"" } ?? "at the cluster scope"
        let message = "\(subject) is forbidden: User \"\(user.name)\" cannot \(verb) resource \"\(resource)\" in API group \"\(path.group)\" \(scope)"
        return APIError(
            code: 403, reason: StatusReason.forbidden, message: message,
            details: StatusDetails(name: path.name, group: path.group.isEmpty ? nil : path.group, kind: path.plural))
    }
}
