import Foundation
import Logging
import NIOSSL

/// How a control plane serves HTTPS.
///
/// ```swift
/// config.tls = ServingTLS(certificate: .generated(additionalNames: ["cp.example.com"]))
/// ```
public struct ServingTLS: Sendable, Hashable {
    /// Where the serving certificate comes from.
    public enum CertificateSource: Sendable, Hashable {
        /// A CA and serving certificate generated in the data directory; the serving certificate names
        /// `localhost`, `127.0.0.1`, `::1`, the bind host and `additionalNames`.
        case generated(additionalNames: [String])
        /// PEM files the operator provides: the certificate (chain) and its key.
        case files(certificate: String, privateKey: String)
    }

    /// Where the serving certificate comes from.
    public var certificate: CertificateSource
    /// A PEM bundle of CAs whose client certificates authenticate (as their common name); nil accepts
    /// no client certificates.
    public var clientCAFile: String?

    /// Creates TLS settings.
    public init(certificate: CertificateSource = .generated(additionalNames: []), clientCAFile: String? = nil) {
        self.certificate = certificate
        self.clientCAFile = clientCAFile
    }

    /// Produces the serving material (generating or loading it) and the NIOSSL server configuration.
    func resolve(dataDirectory: String, host: String, now: Date, logger: Logger) throws -> (material: ServingMaterial, tls: TLSConfiguration) {
        let material: ServingMaterial
        switch certificate {
        case .generated(let extra):
            material = try ServingCertificates.loadOrCreate(
                directory: dataDirectory, names: .serving(host: host, additional: extra), now: now, logger: logger)
        case .files(let cert, let key):
            material = try ServingCertificates.load(certificateFile: cert, privateKeyFile: key)
        }
        var tls: TLSConfiguration
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(material.certificateChainPEM.utf8))
            let key = try NIOSSLPrivateKey(bytes: Array(material.privateKeyPEM.utf8), format: .pem)
            tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        } catch {
            throw ControlPlaneError("the serving certificate or key is not usable PEM: \(error)")
        }
        tls.minimumTLSVersion = .tlsv12
        // HTTP/1.1 only: without ALPN `h2`, clients (client-go included) speak HTTP/1.1.
        tls.applicationProtocols = ["http/1.1"]
        if let clientCAFile {
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMFile(clientCAFile)
            } catch {
                throw ControlPlaneError("--client-ca-file \(clientCAFile) is not a readable PEM bundle: \(error)")
            }
            guard !roots.isEmpty else { throw ControlPlaneError("--client-ca-file \(clientCAFile) holds no certificate") }
            tls.trustRoots = .certificates(roots)
            // Ask for a client certificate and verify one that is presented; clients with a token send none.
            tls.certificateVerification = .optionalVerification
        }
        return (material, tls)
    }
}
