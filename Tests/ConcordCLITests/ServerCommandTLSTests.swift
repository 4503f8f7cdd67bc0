import ArgumentParser
import ControlPlane
import Foundation
import Testing

@testable import ConcordCLI

struct ServerCommandTLSTests {
    @Test func httpsWithTheGeneratedCertificateByDefault() throws {
        let server = try ConcordCommand.Server.parse(["--data-dir", "/tmp/d"])
        #expect(server.servingTLS == ServingTLS(certificate: .generated(additionalNames: [])))
        #expect(server.tokenFile == nil)
        #expect(server.requestedSettings == RememberedSettings.Request())
    }

    @Test func plainHTTPOnlyWhenAskedForByName() throws {
        let server = try ConcordCommand.Server.parse(["--data-dir", "/tmp/d", "--insecure-plain-http"])
        #expect(server.servingTLS == nil)
        #expect(server.requestedSettings.plainHTTP == true)
    }

    @Test func tlsWithExtraNamesAndClientCA() throws {
        let server = try ConcordCommand.Server.parse([
            "--data-dir", "/tmp/d", "--tls", "--tls-san", "cp.example.com", "--tls-san", "10.0.0.5", "--client-ca-file", "/etc/ca.pem",
            "--token-file", "/etc/tokens.csv",
        ])
        #expect(server.servingTLS == ServingTLS(certificate: .generated(additionalNames: ["cp.example.com", "10.0.0.5"]), clientCAFile: "/etc/ca.pem"))
        #expect(server.tokenFile == "/etc/tokens.csv")
    }

    @Test func ownCertificateFilesImplyTLS() throws {
        let server = try ConcordCommand.Server.parse(["--data-dir", "/tmp/d", "--tls-cert-file", "/etc/tls.crt", "--tls-private-key-file", "/etc/tls.key"])
        #expect(server.servingTLS == ServingTLS(certificate: .files(certificate: "/etc/tls.crt", privateKey: "/etc/tls.key")))
    }

    @Test(arguments: [
        (["--tls-cert-file", "/c"], "go together"),
        (["--tls-private-key-file", "/k"], "go together"),
        (["--insecure-plain-http", "--client-ca-file", "/ca"], "needs TLS"),
        (["--insecure-plain-http", "--tls"], "serves no TLS"),
        (["--insecure-plain-http", "--tls-san", "x"], "serves no TLS"),
        (["--tls-cert-file", "/c", "--tls-private-key-file", "/k", "--tls-san", "x"], "generated certificate only"),
    ])
    func inconsistentOptionsAreRejectedWithAClearMessage(_ args: [String], _ message: String) throws {
        let error = #expect(throws: (any Error).self) { try ConcordCommand.Server.parse(["--data-dir", "/tmp/d"] + args) }
        let text = ConcordCommand.Server.message(for: try #require(error))
        #expect(text.contains(message), "\(text)")
    }
}

struct RememberedSettingsTests {
    private func withDirectory<T>(_ body: (String) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("concord-settings-\(UUID().uuidString)")
        defer {
            removeDirectory(dir)
            let plain = URL(fileURLWithPath: dir.path + "-plain")
            if FileManager.default.fileExists(atPath: plain.path) { removeDirectory(plain) }
        }
        return try body(dir.path)
    }

    private func settings(_ dir: String, _ args: [String]) throws -> RememberedSettings {
        let server = try ConcordCommand.Server.parse(["--data-dir", dir] + args)
        let merged = try RememberedSettings.merge(
            remembered: try RememberedSettings.load(dataDirectory: dir), requested: server.requestedSettings, dataDirectory: dir)
        try merged.save(dataDirectory: dir)
        return merged
    }

    @Test func aRestartWithOnlyTheDataDirComesBackTheSame() throws {
        try withDirectory { (dir: String) throws in
            let first = try settings(dir, ["--tls-san", "cp.example.com", "--client-ca-file", "/etc/ca.pem", "--token-file", "/etc/tokens.csv"])
            let again = try settings(dir, [])
            #expect(again == first)
            #expect(again.servingTLS == ServingTLS(certificate: .generated(additionalNames: ["cp.example.com"]), clientCAFile: "/etc/ca.pem"))
            #expect(again.tokenFile == "/etc/tokens.csv")
            let plain = try settings(dir + "-plain", ["--insecure-plain-http"])
            #expect(plain.servingTLS == nil)
            #expect(try settings(dir + "-plain", []).servingTLS == nil)
            let clientCA = #expect(throws: ControlPlaneError.self) { try settings(dir + "-plain", ["--client-ca-file", "/etc/ca.pem"]) }
            #expect(clientCA?.message.contains("--client-ca-file needs TLS") == true)
        }
    }

    @Test func switchingBetweenHTTPSAndPlainHTTPIsRefusedWithTheFix() throws {
        try withDirectory { (dir: String) throws in
            #expect(try settings(dir, []).plainHTTP == false)
            let error = #expect(throws: ControlPlaneError.self) { try settings(dir, ["--insecure-plain-http"]) }
            #expect(error?.message == "\(dir) was started serving HTTPS and --insecure-plain-http asks for the other; drop --insecure-plain-http to keep it, or use a new --data-dir")
            #expect(try settings(dir, ["--tls"]).plainHTTP == false)
            #expect(try settings(dir, ["--tls-san", "other.example.com"]).subjectAlternativeNames == ["other.example.com"])
        }
    }
}
