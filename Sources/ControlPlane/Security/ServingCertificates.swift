import Crypto
import Foundation
import Logging
import SwiftASN1
import X509

/// The PEM material a TLS-serving control plane uses and advertises.
public struct ServingMaterial: Sendable, Hashable {
    /// The serving certificate, followed by any intermediates.
    public var certificateChainPEM: String
    /// The serving certificate's private key.
    public var privateKeyPEM: String
    /// What clients should trust (the kubeconfig's `certificate-authority-data`); nil when the chain's
    /// root is not included and clients are expected to trust it already.
    public var certificateAuthorityPEM: String?
}

/// Keeps a generated CA and serving certificate in the data directory (`ca.crt`, `ca.key`,
/// `server.crt`, `server.key`; keys are 0600).
///
/// The CA is made once and kept (ten years); the serving certificate is reissued on start when it
/// has expired or is within `renewBefore` of expiring, when the wanted names changed, or when it was
/// not signed by the current CA.
public enum ServingCertificates {
    /// Reissue a serving certificate this long before it expires.
    public static let renewBefore: TimeInterval = 30 * 86_400

    /// File names inside the data directory.
    public enum File {
        /// The CA certificate.
        public static let caCertificate = "ca.crt"
        /// The CA key.
        public static let caKey = "ca.key"
        /// The serving certificate.
        public static let certificate = "server.crt"
        /// The serving key.
        public static let key = "server.key"
    }

    /// Loads the CA and serving certificate from `directory`, making whatever is missing, expired or stale.
    public static func loadOrCreate(directory: String, names: SubjectNames, now: Date, logger: Logger) throws -> ServingMaterial {
        let ca = try loadOrCreateAuthority(directory: directory, now: now, logger: logger)
        let certPath = path(directory, File.certificate), keyPath = path(directory, File.key)
        if let current = reusableServing(certPath: certPath, keyPath: keyPath, ca: ca, names: names, now: now) {
            return ServingMaterial(certificateChainPEM: current.cert, privateKeyPEM: current.key, certificateAuthorityPEM: try ca.certificatePEM)
        }
        let issued = try ca.issueServingCertificate(names: names, now: now)
        let certPEM = try issued.certificatePEM
        try Credentials.writePrivate(Data(issued.privateKeyPEM.utf8), to: keyPath)
        try write(Data(certPEM.utf8), to: certPath, permissions: 0o644)
        logger.info("Issued a serving certificate", metadata: ["names": "\(names.all.joined(separator: ","))", "notAfter": "\(issued.certificate.notValidAfter)"])
        return ServingMaterial(certificateChainPEM: certPEM, privateKeyPEM: issued.privateKeyPEM, certificateAuthorityPEM: try ca.certificatePEM)
    }

    /// The CA kept in `directory`, or a new one when there is none or it has expired.
    ///
    /// A CA file that exists but cannot be read is an error, never silently replaced: clients trust it.
    static func loadOrCreateAuthority(directory: String, now: Date, logger: Logger) throws -> CertificateAuthority {
        let certPath = path(directory, File.caCertificate), keyPath = path(directory, File.caKey)
        let fm = FileManager.default
        if fm.fileExists(atPath: certPath) || fm.fileExists(atPath: keyPath) {
            let ca: CertificateAuthority
            do {
                let cert = try Certificate(pemEncoded: try String(contentsOfFile: certPath, encoding: .utf8))
                let key = try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOfFile: keyPath, encoding: .utf8))
                guard cert.publicKey == Certificate.PublicKey(key.publicKey) else {
                    throw ControlPlaneError("the key does not belong to the certificate")
                }
                ca = CertificateAuthority(certificate: cert, privateKey: key)
            } catch {
                throw ControlPlaneError(
                    "cannot use the CA in \(directory) (\(File.caCertificate), \(File.caKey)): \(error); restore them, or remove both to generate a new CA")
            }
            if ca.certificate.notValidAfter > now { return ca }
            logger.warning("The generated CA has expired; generating a new one (clients must use the new kubeconfig)", metadata: ["directory": "\(directory)"])
        }
        let ca = try CertificateAuthority.generate(commonName: "concord-ca", now: now)
        try Credentials.writePrivate(Data(ca.privateKeyPEM.utf8), to: keyPath)
        try write(Data(try ca.certificatePEM.utf8), to: certPath, permissions: 0o644)
        logger.info("Generated a certificate authority", metadata: ["path": "\(certPath)", "notAfter": "\(ca.certificate.notValidAfter)"])
        return ca
    }

    /// The kept serving certificate and key when they can be served as they are.
    private static func reusableServing(certPath: String, keyPath: String, ca: CertificateAuthority, names: SubjectNames, now: Date) -> (cert: String, key: String)? {
        guard let certPEM = try? String(contentsOfFile: certPath, encoding: .utf8),
            let keyPEM = try? String(contentsOfFile: keyPath, encoding: .utf8),
            let cert = try? Certificate(pemEncoded: certPEM),
            let key = try? P256.Signing.PrivateKey(pemRepresentation: keyPEM),
            cert.publicKey == Certificate.PublicKey(key.publicKey),
            ca.signed(cert),
            cert.notValidBefore <= now, cert.notValidAfter > now + renewBefore,
            (try? SubjectNames(of: cert)) == names
        else { return nil }
        return (certPEM, keyPEM)
    }

    /// Reads a certificate chain and key that the operator provides. The chain's last certificate is
    /// advertised to clients as the CA when it is self-signed.
    public static func load(certificateFile: String, privateKeyFile: String) throws -> ServingMaterial {
        let chainPEM: String, keyPEM: String
        do {
            chainPEM = try String(contentsOfFile: certificateFile, encoding: .utf8)
            keyPEM = try String(contentsOfFile: privateKeyFile, encoding: .utf8)
        } catch {
            throw ControlPlaneError("cannot read --tls-cert-file/--tls-private-key-file: \(error)")
        }
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: chainPEM).filter { $0.discriminator == "CERTIFICATE" }
        } catch {
            throw ControlPlaneError("\(certificateFile) is not a PEM certificate chain: \(error)")
        }
        guard let last = documents.last else { throw ControlPlaneError("\(certificateFile) holds no PEM certificate") }
        var authority: String?
        if let root = try? Certificate(pemDocument: last), root.issuer == root.subject {
            authority = last.pemString + "\n"
        }
        return ServingMaterial(certificateChainPEM: chainPEM, privateKeyPEM: keyPEM, certificateAuthorityPEM: authority)
    }

    static func path(_ directory: String, _ file: String) -> String { (directory as NSString).appendingPathComponent(file) }

    private static func write(_ data: Data, to path: String, permissions: Int) throws {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: path)
    }
}
