import ConcordTesting
import Foundation
import Logging
import Testing
import X509

@testable import ControlPlane

struct ServingCertificateTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)
    static let logger = Logger(label: "concord.test.certificates")

    private func withDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("concord-certs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { TemporaryFiles.remove(dir) }
        return try body(dir)
    }

    private func parse(_ pem: String) throws -> Certificate { try Certificate(pemEncoded: pem) }

    private func mode(_ path: String) throws -> Int {
        try #require((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
    }

    @Test func firstStartGeneratesCAAndServingCertificateWithTheWantedNames() throws {
        try withDirectory { dir in
            let names = SubjectNames.serving(host: "10.1.2.3", additional: ["cp.example.com", "fd00::7"])
            let material = try ServingCertificates.loadOrCreate(directory: dir, names: names, now: Self.start, logger: Self.logger)
            let ca = try parse(try #require(material.certificateAuthorityPEM))
            let serving = try parse(material.certificateChainPEM)

            #expect(ca.subject == ca.issuer)
            #expect(try ca.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
            #expect(ca.publicKey.isValidSignature(ca.signature, for: ca))
            #expect(ca.notValidAfter.timeIntervalSince(Self.start) == 10 * 365 * 86_400)
            #expect(ca.publicKey.isValidSignature(serving.signature, for: serving))
            #expect(serving.issuer == ca.subject)
            #expect(serving.notValidAfter.timeIntervalSince(Self.start) == 365 * 86_400)
            #expect(try serving.extensions.extendedKeyUsage?.contains(.serverAuth) == true)
            #expect(try serving.extensions.basicConstraints == .notCertificateAuthority)
            let sans = try SubjectNames(of: serving)
            #expect(sans.all == ["cp.example.com", "localhost", "10.1.2.3", "127.0.0.1", "::1", "fd00::7"])

            for file in ["ca.key", "server.key"] { #expect(try mode(dir + "/" + file) == 0o600, "\(file)") }
            for file in ["ca.crt", "server.crt"] { #expect(FileManager.default.fileExists(atPath: dir + "/" + file)) }
            #expect(try String(contentsOfFile: dir + "/server.key", encoding: .utf8) == material.privateKeyPEM)
        }
    }

    @Test func wildcardBindAddressIsNotANameOfTheCertificate() {
        #expect(SubjectNames.serving(host: "0.0.0.0", additional: []).all == ["localhost", "127.0.0.1", "::1"])
        #expect(SubjectNames.serving(host: "::", additional: ["LOCALHOST"]).all == ["localhost", "127.0.0.1", "::1"])
    }

    @Test func restartReusesCAAndServingCertificate() throws {
        try withDirectory { dir in
            let names = SubjectNames.serving(host: "127.0.0.1", additional: [])
            let first = try ServingCertificates.loadOrCreate(directory: dir, names: names, now: Self.start, logger: Self.logger)
            let second = try ServingCertificates.loadOrCreate(directory: dir, names: names, now: Self.start + 86_400, logger: Self.logger)
            #expect(first == second)
        }
    }

    @Test func changedNamesReissueTheServingCertificateUnderTheSameCA() throws {
        try withDirectory { dir in
            let first = try ServingCertificates.loadOrCreate(
                directory: dir, names: .serving(host: "127.0.0.1", additional: []), now: Self.start, logger: Self.logger)
            let second = try ServingCertificates.loadOrCreate(
                directory: dir, names: .serving(host: "127.0.0.1", additional: ["new.example.com"]), now: Self.start, logger: Self.logger)
            #expect(first.certificateAuthorityPEM == second.certificateAuthorityPEM)
            #expect(first.certificateChainPEM != second.certificateChainPEM)
            #expect(first.privateKeyPEM != second.privateKeyPEM)
            #expect(try SubjectNames(of: parse(second.certificateChainPEM)).dnsNames == ["localhost", "new.example.com"])
        }
    }

    @Test(arguments: [
        (days: 330.0, reissued: false),  // 35 days left: kept
        (days: 340.0, reissued: true),  // 25 days left: renewed ahead of expiry
        (days: 400.0, reissued: true),  // expired
    ])
    func servingCertificateIsRenewedNearAndAfterExpiry(days: Double, reissued: Bool) throws {
        try withDirectory { dir in
            let names = SubjectNames.serving(host: "127.0.0.1", additional: [])
            let first = try ServingCertificates.loadOrCreate(directory: dir, names: names, now: Self.start, logger: Self.logger)
            let later = Self.start + days * 86_400
            let second = try ServingCertificates.loadOrCreate(directory: dir, names: names, now: later, logger: Self.logger)
            #expect((first.certificateChainPEM != second.certificateChainPEM) == reissued)
            #expect(first.certificateAuthorityPEM == second.certificateAuthorityPEM)
            #expect(try parse(second.certificateChainPEM).notValidAfter > later)
        }
    }

    @Test func expiredCAIsReplaced() throws {
        try withDirectory { dir in
            let names = SubjectNames.serving(host: "127.0.0.1", additional: [])
            let first = try ServingCertificates.loadOrCreate(directory: dir, names: names, now: Self.start, logger: Self.logger)
            let second = try ServingCertificates.loadOrCreate(directory: dir, names: names, now: Self.start + 11 * 365 * 86_400, logger: Self.logger)
            #expect(first.certificateAuthorityPEM != second.certificateAuthorityPEM)
            let ca = try parse(try #require(second.certificateAuthorityPEM))
            let serving = try parse(second.certificateChainPEM)
            #expect(ca.publicKey.isValidSignature(serving.signature, for: serving))
        }
    }

    @Test func unreadableCAIsAnErrorNotSilentlyReplaced() throws {
        try withDirectory { dir in
            try Data("not a certificate".utf8).write(to: URL(fileURLWithPath: dir + "/ca.crt"))
            try Data("not a key".utf8).write(to: URL(fileURLWithPath: dir + "/ca.key"))
            let error = try #require(throws: ControlPlaneError.self) {
                try ServingCertificates.loadOrCreate(directory: dir, names: SubjectNames(["localhost"]), now: Self.start, logger: Self.logger)
            }
            #expect(error.message.contains("remove both to generate a new CA"), "\(error)")
            #expect(try String(contentsOfFile: dir + "/ca.crt", encoding: .utf8) == "not a certificate")
        }
    }

    @Test func operatorCertificateFilesAreServedAndASelfSignedRootIsAdvertised() throws {
        try withDirectory { dir in
            let ca = try CertificateAuthority.generate(commonName: "operator-ca", now: Self.start)
            let leaf = try ca.issueServingCertificate(names: SubjectNames(["api.example.com"]), now: Self.start)
            let chain = try leaf.certificatePEM + ca.certificatePEM
            try Data(chain.utf8).write(to: URL(fileURLWithPath: dir + "/tls.crt"))
            try Data(leaf.privateKeyPEM.utf8).write(to: URL(fileURLWithPath: dir + "/tls.key"))
            let material = try ServingCertificates.load(certificateFile: dir + "/tls.crt", privateKeyFile: dir + "/tls.key")
            #expect(material.certificateChainPEM == chain)
            #expect(try parse(try #require(material.certificateAuthorityPEM)) == ca.certificate)

            // A leaf alone, signed by a CA the file does not carry: clients are expected to trust that CA already.
            try Data(try leaf.certificatePEM.utf8).write(to: URL(fileURLWithPath: dir + "/leaf.crt"))
            let leafOnly = try ServingCertificates.load(certificateFile: dir + "/leaf.crt", privateKeyFile: dir + "/tls.key")
            #expect(leafOnly.certificateAuthorityPEM == nil)
        }
    }
}
