import Foundation
import KubernetesAPI
import NIOSSL
import Synchronization

/// The TLS configuration for a client certificate an exec plugin returned: the cluster's trust
/// settings plus that certificate. Built once per certificate (AsyncHTTPClient pools connections
/// per TLS configuration, so a new certificate opens new connections and the old ones idle out).
final class ExecTLSCache: Sendable {
    private let base: TLSSettings
    private let current = Mutex<(certificate: Data, key: Data, configuration: TLSConfiguration)?>(nil)

    init(base: TLSSettings) { self.base = base }

    /// The configuration presenting `credential`'s certificate and key.
    func configuration(for credential: ExecCredentialStatus) throws -> TLSConfiguration? {
        guard let cert = credential.clientCertificatePEM, let key = credential.clientKeyPEM else { return nil }
        if let hit = current.withLock({ c in c.flatMap { $0.certificate == cert && $0.key == key ? $0.configuration : nil } }) { return hit }
        var settings = base
        settings.clientCertificatePEM = cert
        settings.clientKeyPEM = key
        let configuration = try HTTPKubeTransport.tlsConfiguration(settings)
        current.withLock { $0 = (cert, key, configuration) }
        return configuration
    }
}
