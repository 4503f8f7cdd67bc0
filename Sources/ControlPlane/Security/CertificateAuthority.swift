import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate authority with an ECDSA P-256 key that issues the control plane's serving
/// certificate (and, for tests and tooling, client certificates).
///
/// ```swift
/// let ca = try CertificateAuthority.generate(commonName: "concord-ca", now: Date())
/// let serving = try ca.issueServingCertificate(names: SubjectNames(["localhost", "127.0.0.1"]), now: Date())
/// ```
public struct CertificateAuthority: Sendable {
    /// The self-signed CA certificate.
    public let certificate: Certificate
    /// The CA's signing key.
    public let privateKey: P256.Signing.PrivateKey

    /// How long a generated CA is valid: ten years.
    public static let caValidity: TimeInterval = 10 * 365 * 86_400
    /// How long an issued serving certificate is valid: one year.
    public static let servingValidity: TimeInterval = 365 * 86_400
    /// Issued certificates start one hour in the past, so a client whose clock is a little behind accepts them.
    static let backdate: TimeInterval = 3_600

    /// Wraps an existing CA certificate and key.
    public init(certificate: Certificate, privateKey: P256.Signing.PrivateKey) {
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// Generates a new self-signed CA valid for ten years from `now`.
    public static func generate(commonName: String, now: Date) throws -> CertificateAuthority {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let name = try DistinguishedName {
            OrganizationName("Concord")
            CommonName(commonName)
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: publicKey)
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now - backdate, notValidAfter: now + caValidity, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(key))
        return CertificateAuthority(certificate: certificate, privateKey: key)
    }

    /// Issues a serving certificate (`serverAuth`) for `names`, valid for one year from `now`.
    public func issueServingCertificate(names: SubjectNames, now: Date) throws -> IssuedCertificate {
        try issue(
            subject: DistinguishedName { OrganizationName("Concord"); CommonName("concord-server") },
            usage: .serverAuth, names: names, now: now, validity: Self.servingValidity)
    }

    /// Issues a client certificate (`clientAuth`) whose common name is the user and whose organizations are
    /// the groups, as kube-apiserver reads them.
    public func issueClientCertificate(user: String, groups: [String] = [], now: Date, validity: TimeInterval = servingValidity) throws -> IssuedCertificate {
        var attributes: [RelativeDistinguishedName] = []
        for group in groups {
            attributes.append(RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: group)))
        }
        attributes.append(RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: user)))
        return try issue(subject: DistinguishedName(attributes), usage: .clientAuth, names: nil, now: now, validity: validity)
    }

    private func issue(
        subject: DistinguishedName, usage: ExtendedKeyUsage.Usage, names: SubjectNames?, now: Date, validity: TimeInterval
    ) throws -> IssuedCertificate {
        let key = P256.Signing.PrivateKey()
        let publicKey = Certificate.PublicKey(key.publicKey)
        let authorityKeyID = try certificate.extensions.subjectKeyIdentifier?.keyIdentifier
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([usage])
            SubjectKeyIdentifier(hash: publicKey)
            AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
            if let names { SubjectAlternativeNames(names.generalNames) }
        }
        let notAfter = min(now + validity, certificate.notValidAfter)
        let issued = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: now - Self.backdate, notValidAfter: notAfter, issuer: certificate.subject, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: Certificate.PrivateKey(privateKey))
        return IssuedCertificate(certificate: issued, privateKey: key)
    }

    /// True when `certificate` carries a valid signature of this CA.
    public func signed(_ other: Certificate) -> Bool {
        other.issuer == certificate.subject && certificate.publicKey.isValidSignature(other.signature, for: other)
    }

    /// The CA certificate as PEM.
    public var certificatePEM: String {
        get throws { try certificate.serializeAsPEM().pemString + "\n" }
    }

    /// The CA key as PEM (PKCS#8).
    public var privateKeyPEM: String { privateKey.pemRepresentation + "\n" }
}

/// A certificate issued by a `CertificateAuthority`, with its new key.
public struct IssuedCertificate: Sendable {
    /// The certificate.
    public let certificate: Certificate
    /// Its private key.
    public let privateKey: P256.Signing.PrivateKey

    /// The certificate as PEM.
    public var certificatePEM: String {
        get throws { try certificate.serializeAsPEM().pemString + "\n" }
    }

    /// The key as PEM (PKCS#8).
    public var privateKeyPEM: String { privateKey.pemRepresentation + "\n" }
}
