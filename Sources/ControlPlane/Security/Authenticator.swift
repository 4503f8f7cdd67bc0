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
