import Crypto
import Foundation
import KubernetesAPI

/// Issues and verifies ServiceAccount tokens: JWTs signed with ES256 by a P-256 key kept in the data
/// directory (`sa.key`), in kube-apiserver's claim layout (`iss`, `sub`, `aud`, `exp`, `iat`, `nbf`, `jti`
/// and `kubernetes.io` with the namespace and the ServiceAccount's name and uid).
struct ServiceAccountTokens: Sendable {
    /// The issuer (`iss`), which is also the audience the API server accepts.
    static let issuer = "https://kubernetes.default.svc.cluster.local"
    /// The file in the data directory.
    static let keyFile = "sa.key"
    /// The shortest lifetime a TokenRequest may ask for, as in kube-apiserver.
    static let minimumExpiration: Int64 = 600
    /// The lifetime when a TokenRequest names none.
    static let defaultExpiration: Int64 = 3600

    let key: P256.Signing.PrivateKey
    /// The audiences a token must name (one of) to authenticate to this server.
    var audiences: [String] = [issuer]

    /// The key kept in `dataDirectory`, or a new one saved there (0600).
    static func loadOrCreate(dataDirectory: String) throws -> ServiceAccountTokens {
        let path = (dataDirectory as NSString).appendingPathComponent(keyFile)
        if let data = FileManager.default.contents(atPath: path) {
            do {
                return ServiceAccountTokens(key: try P256.Signing.PrivateKey(pemRepresentation: String(decoding: data, as: UTF8.self)))
            } catch {
                throw ControlPlaneError("cannot use the ServiceAccount signing key \(path): \(error); restore it, or remove it to sign new tokens (issued ones stop working)")
            }
        }
        let key = P256.Signing.PrivateKey()
        try Credentials.writePrivate(Data(key.pemRepresentation.utf8), to: path)
        return ServiceAccountTokens(key: key)
    }

    /// The key id (`kid`): a digest of the public key.
    var keyID: String { Self.base64URL(Data(SHA256.hash(data: key.publicKey.derRepresentation)).prefix(16)) }

    /// A signed token for a ServiceAccount.
    func issue(namespace: String, name: String, uid: String, audiences: [String], issuedAt: Date, expirationSeconds: Int64) throws -> String {
        let iat = Int64(issuedAt.timeIntervalSince1970)
        let header: JSONValue = ["alg": "ES256", "kid": .string(keyID), "typ": "JWT"]
        let claims: JSONValue = [
            "aud": .array(audiences.map(JSONValue.string)),
            "exp": .int(iat + expirationSeconds),
            "iat": .int(iat),
            "nbf": .int(iat),
            "iss": .string(Self.issuer),
            "jti": .string(UUID().uuidString.lowercased()),
            "sub": .string(ServiceAccountNames.userName(namespace: namespace, name: name)),
            "kubernetes.io": ["namespace": .string(namespace), "serviceaccount": ["name": .string(name), "uid": .string(uid)]],
        ]
        let signingInput = Self.base64URL(CompactJSON.encode(header)) + "." + Self.base64URL(CompactJSON.encode(claims))
        let signature = try key.signature(for: Data(signingInput.utf8))
        return signingInput + "." + Self.base64URL(signature.rawRepresentation)
    }

    /// What a verified token says.
    struct Claims: Sendable, Equatable {
        var namespace: String
        var name: String
        var uid: String
        /// The token's audiences (`aud`).
        var audiences: [String]
    }

    /// The claims of a token this server signed, for one of its audiences, valid at `now`; nil for anything else
    /// (another issuer's token, a bad signature, an expired token, another audience).
    func verify(_ token: String, now: Date) -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Self.decodeBase64URL(parts[0]), let claimsData = Self.decodeBase64URL(parts[1]),
            let signatureData = Self.decodeBase64URL(parts[2]),
            let header = try? CompactJSON.decode(headerData), header["alg"]?.stringValue == "ES256",
            let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signatureData),
            key.publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)),
            let claims = try? CompactJSON.decode(claimsData), claims["iss"]?.stringValue == Self.issuer
        else { return nil }
        let seconds = Int64(now.timeIntervalSince1970)
        guard let exp = claims["exp"]?.intValue, exp > seconds else { return nil }
        if let nbf = claims["nbf"]?.intValue, nbf > seconds + 60 { return nil }
        let aud = claims["aud"]?.arrayValue?.compactMap(\.stringValue) ?? claims["aud"]?.stringValue.map { [$0] } ?? []
        guard aud.contains(where: audiences.contains) else { return nil }
        guard let namespace = claims.value(at: ["kubernetes.io", "namespace"])?.stringValue,
            let name = claims.value(at: ["kubernetes.io", "serviceaccount", "name"])?.stringValue,
            let uid = claims.value(at: ["kubernetes.io", "serviceaccount", "uid"])?.stringValue,
            claims["sub"]?.stringValue == ServiceAccountNames.userName(namespace: namespace, name: name)
        else { return nil }
        return Claims(namespace: namespace, name: name, uid: uid, audiences: aud)
    }

    /// Base64url without padding.
    static func base64URL<D: DataProtocol>(_ data: D) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes base64url with or without padding.
    static func decodeBase64URL(_ text: Substring) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }

    /// True when a bearer token has a JWT's shape (three dot-separated parts).
    static func looksLikeJWT(_ token: String) -> Bool {
        token.split(separator: ".", omittingEmptySubsequences: false).count == 3
    }
}
