import Foundation
import KubernetesAPI

/// What an exec plugin returned: a bearer token or a client certificate and key, valid until
/// `expiration` (nil: until the server rejects it).
public struct ExecCredentialStatus: Sendable, Hashable {
    /// A bearer token.
    public var token: String?
    /// PEM client certificate (chain).
    public var clientCertificatePEM: Data?
    /// PEM client private key.
    public var clientKeyPEM: Data?
    /// When the credential expires.
    public var expiration: Date?

    /// Creates a credential.
    public init(token: String? = nil, clientCertificatePEM: Data? = nil, clientKeyPEM: Data? = nil, expiration: Date? = nil) {
        self.token = token
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.expiration = expiration
    }

    /// Parses a plugin's standard output (an `ExecCredential` object), checking it the way
    /// client-go does. `command` names the plugin in errors.
    public static func parse(_ output: Data, apiVersion: String, command: String) throws -> ExecCredentialStatus {
        func failure(_ what: String) -> KubeConfigError {
            KubeConfigError(.execPlugin, "exec plugin \(command) \(what)")
        }
        guard let root = try? JSONValue(parsing: output), root.objectValue != nil else {
            let text = String(decoding: output.prefix(80), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw failure(text.isEmpty ? "printed nothing; it must print an ExecCredential object on standard output" : "printed something that is not an ExecCredential JSON object (it starts with \"\(text)\")")
        }
        guard root["kind"]?.stringValue == "ExecCredential" else {
            throw failure("printed an object of kind \"\(root["kind"]?.stringValue ?? "")\"; expected ExecCredential")
        }
        let returned = root["apiVersion"]?.stringValue ?? ""
        guard returned == apiVersion else {
            throw failure("is configured to use API version \(apiVersion), but it returned version \"\(returned)\"")
        }
        guard let status = root["status"], status.objectValue != nil else {
            throw failure("returned no status")
        }
        var out = ExecCredentialStatus()
        if let t = status["token"]?.stringValue, !t.isEmpty { out.token = t }
        let cert = status["clientCertificateData"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let key = status["clientKeyData"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        if (cert == nil) != (key == nil) {
            throw failure("returned \(cert == nil ? "clientKeyData without clientCertificateData" : "clientCertificateData without clientKeyData")")
        }
        out.clientCertificatePEM = cert.map { Data($0.utf8) }
        out.clientKeyPEM = key.map { Data($0.utf8) }
        if out.token == nil && cert == nil {
            throw failure("returned neither a token nor a client certificate and key")
        }
        if let exp = status["expirationTimestamp"]?.stringValue, !exp.isEmpty {
            guard let time = KubeTime(rfc3339: exp) else { throw failure("returned an expirationTimestamp that is not RFC 3339: \(exp)") }
            out.expiration = time.date
        }
        return out
    }

    /// Whether the credential has expired at `now`.
    public func isExpired(at now: Date) -> Bool {
        guard let expiration else { return false }
        return now >= expiration
    }
}

/// The `ExecCredential` handed to a plugin in `KUBERNETES_EXEC_INFO`.
struct ExecCredentialRequest: Encodable {
    struct Spec: Encodable {
        var interactive: Bool
        var cluster: ExecClusterInfo?
    }
    var apiVersion: String
    var kind = "ExecCredential"
    var spec: Spec
}
