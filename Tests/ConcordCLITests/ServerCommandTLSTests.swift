import ArgumentParser
import ControlPlane
import Foundation
import Testing

@testable import ConcordCLI

struct ServerCommandTLSTests {
    @Test func plainHTTPByDefault() throws {
        let server = try ConcordCommand.Server.parse(["--data-dir", "/tmp/d"])
        #expect(server.servingTLS == nil)
        #expect(server.tokenFile == nil)
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
        (["--client-ca-file", "/ca"], "needs TLS"),
        (["--tls-cert-file", "/c", "--tls-private-key-file", "/k", "--tls-san", "x"], "generated certificate only"),
    ])
    func inconsistentOptionsAreRejectedWithAClearMessage(_ args: [String], _ message: String) throws {
        let error = #expect(throws: (any Error).self) { try ConcordCommand.Server.parse(["--data-dir", "/tmp/d"] + args) }
        let text = ConcordCommand.Server.message(for: try #require(error))
        #expect(text.contains(message), "\(text)")
    }
}
