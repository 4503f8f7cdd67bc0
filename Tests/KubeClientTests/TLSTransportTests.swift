import Foundation
import KubeClient
import KubernetesAPI
import Testing

/// Real TLS handshakes through AsyncHTTPClient against a local `openssl s_server`.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct TLSTransportTests {
    private func client(_ server: TLSTestServer, tls: TLSSettings) throws -> KubeClient {
        try KubeClient(configuration: ClientConfiguration(server: URL(string: "https://127.0.0.1:\(server.port)")!, tls: tls, connectTimeout: .seconds(3)))
    }

    private func versionOrError(_ client: KubeClient) async -> Result<String, any Error> {
        do {
            return .success(try await client.serverVersion(timeout: .seconds(5)).gitVersion ?? "")
        } catch {
            return .failure(error)
        }
    }

    @Test func customCertificateAuthorityAndServerNameAreTrusted() async throws {
        let server = try await TLSTestServer()
        let c = try client(server, tls: TLSSettings(caPEM: server.caPEM, serverName: "api.internal"))
        let result = await versionOrError(c)
        try await c.shutdown()
        server.stop()
        #expect(try result.get() == "v1.32.0-tls")
    }

    @Test func untrustedServerFailsWithATLSError() async throws {
        let server = try await TLSTestServer()
        let c = try client(server, tls: TLSSettings(serverName: "api.internal"))
        let result = await versionOrError(c)
        try await c.shutdown()
        server.stop()
        guard case .failure(let error) = result else {
            Issue.record("a server signed by an unknown CA must not be trusted")
            return
        }
        #expect((error as? KubeTransportError)?.code == .tls, "\(error)")
    }

    @Test func wrongServerNameIsRejected() async throws {
        let server = try await TLSTestServer()
        // The certificate names only api.internal; 127.0.0.1 must not match it.
        let c = try client(server, tls: TLSSettings(caPEM: server.caPEM))
        let result = await versionOrError(c)
        try await c.shutdown()
        server.stop()
        guard case .failure(let error) = result else {
            Issue.record("a certificate for another name must not be accepted")
            return
        }
        #expect((error as? KubeTransportError)?.code == .tls, "\(error)")
    }

    @Test func insecureSkipVerifyAcceptsAnyCertificate() async throws {
        let server = try await TLSTestServer()
        let c = try client(server, tls: TLSSettings(insecureSkipVerify: true))
        let result = await versionOrError(c)
        try await c.shutdown()
        server.stop()
        #expect(try result.get() == "v1.32.0-tls")
    }

    @Test func clientCertificateIsPresentedWhenConfigured() async throws {
        let server = try await TLSTestServer(requireClientCertificate: true)
        let with = try client(server, tls: TLSSettings(caPEM: server.caPEM, serverName: "api.internal", clientCertificatePEM: server.clientCertPEM, clientKeyPEM: server.clientKeyPEM))
        let ok = await versionOrError(with)
        try await with.shutdown()
        let without = try client(server, tls: TLSSettings(caPEM: server.caPEM, serverName: "api.internal"))
        let refused = await versionOrError(without)
        try await without.shutdown()
        server.stop()
        #expect(try ok.get() == "v1.32.0-tls")
        if case .success = refused { Issue.record("the server requires a client certificate") }
    }

    @Test func execPluginClientCertificateIsPresented() async throws {
        let server = try await TLSTestServer(requireClientCertificate: true)
        let dir = try TempDirectory()
        let credential: [String: Any] = [
            "apiVersion": ExecConfig.v1, "kind": "ExecCredential",
            "status": ["clientCertificateData": String(decoding: server.clientCertPEM, as: UTF8.self), "clientKeyData": String(decoding: server.clientKeyPEM, as: UTF8.self)],
        ]
        let json = try dir.write("credential.json", String(decoding: try JSONSerialization.data(withJSONObject: credential), as: UTF8.self))
        let plugin = try dir.write("plugin.sh", "#!/bin/sh\ncat '\(json)'\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: plugin)
        let provider = ExecCredentialProvider(config: ExecConfig(command: plugin), cluster: nil, user: "robot")
        let c = try KubeClient(configuration: ClientConfiguration(
            server: URL(string: "https://127.0.0.1:\(server.port)")!, tls: TLSSettings(caPEM: server.caPEM, serverName: "api.internal"),
            credentials: .exec(provider), connectTimeout: .seconds(3)))
        let result = await versionOrError(c)
        try await c.shutdown()
        server.stop()
        #expect(try result.get() == "v1.32.0-tls", "the certificate from the plugin is presented")
    }
}
