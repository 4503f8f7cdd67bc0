import Foundation
import KubeClient
import KubernetesAPI
import Testing

@Suite(.timeLimit(.minutes(1)))
struct HTTPTransportTests {
    @Test func refusedConnectionIsATypedTransportError() async throws {
        // Port 1 on loopback: nothing listens there.
        let client = try KubeClient(configuration: ClientConfiguration(server: URL(string: "http://127.0.0.1:1")!, connectTimeout: .seconds(2)))
        do {
            _ = try await client.serverVersion(timeout: .seconds(5))
            Issue.record("expected a transport error")
        } catch let e as KubeTransportError {
            #expect(e.code == .connectionRefused, "\(e)")
            #expect(e.isRetryable)
        }
        try await client.shutdown()
    }

    @Test func invalidCertificateAuthorityIsAConfigError() {
        let config = ClientConfiguration(server: URL(string: "https://127.0.0.1:6443")!, tls: TLSSettings(caPEM: Data("not a certificate".utf8)))
        do {
            _ = try KubeClient(configuration: config)
            Issue.record("expected a KubeConfigError")
        } catch let e as KubeConfigError {
            #expect(e.code == .invalidData)
            #expect(e.message.contains("certificate authority"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
